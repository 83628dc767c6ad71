// The CLI's current project and default remote per state directory, in <config dir>/config.yml:
//
//   current_projects:
//     /var/lib/libinstance: p1
//   default_remotes:
//     /var/lib/libinstance: r1
//   remote_projects:
//     /var/lib/libinstance:
//       r1: p2
//
// Keys are absolute state directories, so each --state-dir keeps its own current project; under
// remote_projects each lxd remote has its own too, as lxc keeps one per remote in its config.yml
// (a file written before remote_projects existed reads as every remote on "default").
#include "current_project.hpp"

#include <cerrno>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"

namespace li::cli {

namespace fs = std::filesystem;

namespace {

const char* const projects_key = "current_projects";
const char* const remotes_key = "default_remotes";
const char* const remote_projects_key = "remote_projects";

fs::path config_file() { return cli_config_dir() / "config.yml"; }

// The same directory however it was spelled (relative, with "..", through a symlink).
std::string state_dir_key(const std::string& state_dir) {
    fs::path dir = state_dir.empty() ? Manager::default_state_dir() : fs::path(state_dir);
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(dir), ec);
    return (ec ? fs::absolute(dir).lexically_normal() : canonical).string();
}

YAML::Node load_config() {
    fs::path file = config_file();
    std::ifstream in(file);
    if (!in) return YAML::Node(YAML::NodeType::Map);  // none yet: nothing switched
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node doc;
    try {
        doc = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        throw Error::invalid("config", fmt::format("Invalid inst config file {}: {}", file.string(), e.what()));
    }
    if (!doc || doc.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!doc.IsMap()) throw Error::invalid("config", fmt::format("Invalid inst config file {}: not a map", file.string()));
    return doc;
}

// Written whole to a temporary file then renamed, so a reader never sees half a file.
void save_config(const YAML::Node& doc) {
    fs::path file = config_file();
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) throw Error::from_errno(fmt::format("creating {}", file.parent_path().string()), ec.value());
    fs::path tmp = file;
    tmp += fmt::format(".{}.tmp", ::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        YAML::Emitter emitter;
        emitter << doc;
        out << emitter.c_str() << '\n';
        if (!out.flush()) throw Error::from_errno(fmt::format("writing {}", tmp.string()), errno);
    }
    fs::rename(tmp, file, ec);
    if (ec) {
        fs::remove(tmp);
        throw Error::from_errno(fmt::format("replacing {}", file.string()), ec.value());
    }
}

}  // namespace

fs::path cli_config_dir() {
    if (const char* dir = std::getenv("INST_CONF"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return fs::path(xdg) / "inst";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".config" / "inst";
    return fs::path(".config") / "inst";
}

namespace {

// One state directory's entry in the map under `section`, or fallback.
std::string entry_of(const char* section, const std::string& state_dir, const std::string& fallback) {
    YAML::Node entries = load_config()[section];
    if (!entries || !entries.IsMap()) return fallback;
    YAML::Node value = entries[state_dir_key(state_dir)];
    if (!value || !value.IsScalar() || value.Scalar().empty()) return fallback;
    return value.Scalar();
}

// Sets (or, when value is the fallback, removes) one state directory's entry under `section`.
void set_entry(const char* section, const std::string& state_dir, const std::string& value, bool forget) {
    YAML::Node doc = load_config();
    YAML::Node entries = doc[section];
    if (!entries || !entries.IsMap()) entries = YAML::Node(YAML::NodeType::Map);
    std::string key = state_dir_key(state_dir);
    if (forget) entries.remove(key);
    else entries[key] = value;
    if (entries.size() == 0) doc.remove(section);
    else doc[section] = entries;
    save_config(doc);
}

}  // namespace

namespace {
bool is_local(const std::string& remote) { return remote.empty() || remote == "local"; }
}  // namespace

std::string current_project(const std::string& state_dir, const std::string& remote) {
    if (is_local(remote)) return entry_of(projects_key, state_dir, "default");
    YAML::Node entries = load_config()[remote_projects_key];
    if (!entries || !entries.IsMap()) return "default";
    YAML::Node remotes = entries[state_dir_key(state_dir)];
    if (!remotes || !remotes.IsMap()) return "default";
    YAML::Node value = remotes[remote];
    if (!value || !value.IsScalar() || value.Scalar().empty()) return "default";
    return value.Scalar();
}

void set_current_project(const std::string& state_dir, const std::string& project, const std::string& remote) {
    if (is_local(remote)) return set_entry(projects_key, state_dir, project, project == "default");
    YAML::Node doc = load_config();
    YAML::Node entries = doc[remote_projects_key];
    if (!entries || !entries.IsMap()) entries = YAML::Node(YAML::NodeType::Map);
    std::string key = state_dir_key(state_dir);
    YAML::Node remotes = entries[key];
    if (!remotes || !remotes.IsMap()) remotes = YAML::Node(YAML::NodeType::Map);
    if (project == "default") remotes.remove(remote);
    else remotes[remote] = project;
    if (remotes.size() == 0) entries.remove(key);
    else entries[key] = remotes;
    if (entries.size() == 0) doc.remove(remote_projects_key);
    else doc[remote_projects_key] = entries;
    save_config(doc);
}

std::string default_remote(const std::string& state_dir) { return entry_of(remotes_key, state_dir, ""); }

void set_default_remote(const std::string& state_dir, const std::string& remote) {
    set_entry(remotes_key, state_dir, remote, remote.empty() || remote == "local");
}

}  // namespace li::cli
