// ProjectStore: projects CRUD, their state, and keeping what a project holds consistent with its
// features, limits and restrictions.
#include "client/rest_objects.hpp"
#include "client/rest_facades.hpp"
#include "libinstance/project.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/validators.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "project/project_keys.hpp"
#include "project/project_policy.hpp"
#include "store/profile_repo.hpp"
#include "store/project_repo.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace {

constexpr std::string_view kDefault = "default";

// LXD's rules: the name appears in API paths and, prefixed to instance names, in host names.
void validate_project_name(std::string_view name, const std::string& key) {
    auto bad = [&](std::string_view why) { throw Error::invalid(key, fmt::format("invalid project name \"{}\": {}", name, why)); };
    if (name.empty()) bad("it is empty");
    if (name.size() > 63) bad("longer than 63 characters");
    if (name == "." || name == ".." || name == "*") bad("reserved name");
    for (unsigned char c : name) {
        if (c == '/') bad("no slashes");
        if (c == '_') bad("no underscores (instance volumes are named PROJECT_NAME)");
        if (c == '\'' || c == '"') bad("no quotes");
        if (c <= ' ' || c == 0x7f) bad("no spaces or control characters");
    }
}

// Features as stored: "true"/"false"; a new project gets LXD's defaults for those it leaves out.
// An empty value unsets its key, as in LXD.
api::ConfigMap normalized(api::ConfigMap config, bool fill_defaults) {
    std::erase_if(config, [](const auto& kv) { return kv.second.empty(); });
    for (std::string_view key : project_keys::feature_keys()) {
        auto it = config.find(std::string(key));
        if (it != config.end()) it->second = config::is_true(it->second) ? "true" : "false";
        else if (fill_defaults) config[std::string(key)] = key == "features.networks" ? "false" : "true";
    }
    return config;
}

std::string joined_names(SQLite::Database& db, const char* sql, const std::string& project) {
    SQLite::Statement q(db, sql);
    q.bind(1, project);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return fmt::format("{}", fmt::join(out, ", "));
}

// What the project holds, as "instances c1, c2; images ..."; empty when it holds nothing but its
// own default profile.
std::string contents(SQLite::Database& db, const std::string& project) {
    std::vector<std::string> parts;
    auto add = [&](const char* what, const char* sql) {
        std::string names = joined_names(db, sql, project);
        if (!names.empty()) parts.push_back(fmt::format("{} {}", what, names));
    };
    add("instances", "SELECT name FROM instances WHERE project = ? ORDER BY name");
    add("images", "SELECT substr(fingerprint, 1, 12) FROM images WHERE project = ? ORDER BY fingerprint");
    add("profiles", "SELECT name FROM profiles WHERE project = ? AND name != 'default' ORDER BY name");
    add("custom volumes", "SELECT p.name || '/' || v.name FROM storage_volumes v JOIN storage_pools p ON p.id = v.pool_id "
                          "WHERE v.project = ? AND v.type = 'custom' ORDER BY 1");
    add("networks", "SELECT name FROM networks WHERE project = ? ORDER BY name");
    return fmt::format("{}", fmt::join(parts, "; "));
}

std::vector<std::string> used_by(SQLite::Database& db, const std::string& project) {
    std::vector<std::string> out;
    auto add = [&](const char* collection, const char* sql) {
        SQLite::Statement q(db, sql);
        q.bind(1, project);
        while (q.executeStep()) out.push_back(api_source(collection, q.getColumn(0).getString(), project));
    };
    add("instances", "SELECT name FROM instances WHERE project = ? ORDER BY name");
    add("images", "SELECT fingerprint FROM images WHERE project = ? ORDER BY fingerprint");
    add("profiles", "SELECT name FROM profiles WHERE project = ? ORDER BY name");
    add("storage-pools", "SELECT p.name || '/volumes/custom/' || v.name FROM storage_volumes v JOIN storage_pools p "
                         "ON p.id = v.pool_id WHERE v.project = ? AND v.type = 'custom' ORDER BY 1");
    add("networks", "SELECT name FROM networks WHERE project = ? ORDER BY name");
    return out;
}

ProjectRecord load(SQLite::Database& db, std::string_view name) {
    auto p = repo::find_project(db, std::string(name));
    if (!p) throw Error(ErrorCode::NotFound, fmt::format("project \"{}\" not found", name), "name");
    return std::move(*p);
}

api::Project to_api(SQLite::Database& db, const ProjectRecord& p) {
    return api::Project{p.name, p.description, p.config, used_by(db, p.name)};
}

std::string project_etag(const ProjectRecord& p) {
    Sha256 hash;
    hash.update(api::to_json(api::ProjectPut{p.description, p.config}));
    return hash.hex_digest();
}

// A project with its own profiles has a `default` one (LXD's, with no devices).
void add_default_profile(SQLite::Database& db, const std::string& project) {
    ProfileRecord profile;
    profile.project = project;
    profile.name = "default";
    profile.description = fmt::format("Default LXD profile for project {}", project);
    repo::insert_profile(db, profile);
}

void remove_default_profile(SQLite::Database& db, const std::string& project) {
    SQLite::Statement del(db, "DELETE FROM profiles WHERE project = ? AND name = 'default'");
    del.bind(1, project);
    del.exec();
}

}  // namespace

ProjectStore::ProjectStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

api::Project ProjectStore::create(const api::ProjectsPost& post) {
    if (auto rest = core_->rest()) return rest::create_project(rest, post);
    validate_project_name(post.name, "name");
    ProjectRecord record{0, post.name, post.description, normalized(post.config, true)};
    project_keys::validate(record.config);
    api::Project created = core_->db().transaction([&](SQLite::Database& db) {
        if (repo::find_project(db, record.name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("project \"{}\" already exists", record.name), "name");
        record.id = repo::insert_project(db, record);
        if (record.config.at("features.profiles") == "true") add_default_profile(db, record.name);
        return to_api(db, record);
    });
    log::info("project created", {{"project", record.name}});
    core_->events().lifecycle(record.name, "project-created", api_source("projects", record.name, "default"));
    return created;
}

api::Project ProjectStore::get(std::string_view name) {
    if (auto rest = core_->rest()) return rest::get_project(rest, name);
    return core_->db().read([&](SQLite::Database& db) { return to_api(db, load(db, name)); });
}

std::vector<api::Project> ProjectStore::list() {
    if (auto rest = core_->rest()) return rest::list_projects(rest);
    return core_->db().read([&](SQLite::Database& db) {
        std::vector<api::Project> out;
        for (const auto& p : repo::list_projects(db)) out.push_back(to_api(db, p));
        return out;
    });
}

bool ProjectStore::exists(std::string_view name) {
    if (auto rest = core_->rest()) return rest::project_exists(rest, name);
    return core_->db().read([&](SQLite::Database& db) { return repo::find_project(db, std::string(name)).has_value(); });
}

std::string ProjectStore::etag(std::string_view name) {
    if (auto rest = core_->rest()) return rest::project_etag(rest, name);
    return core_->db().read([&](SQLite::Database& db) { return project_etag(load(db, name)); });
}

void ProjectStore::update(std::string_view name, const api::ProjectPut& put, std::string_view if_match) {
    if (auto rest = core_->rest()) return rest::update_project(rest, name, put, if_match);
    api::ConfigMap config = normalized(put.config, true);
    project_keys::validate(config);
    core_->db().transaction([&](SQLite::Database& db) {
        ProjectRecord current = load(db, name);
        if (!if_match.empty() && if_match != project_etag(current))
            throw Error(ErrorCode::Conflict, fmt::format("project \"{}\" changed since it was read (ETag mismatch)", name), "etag");
        ProjectRecord next{current.id, current.name, put.description, config};
        for (std::string_view f : project_keys::feature_keys()) {
            const std::string key(f);
            if (next.config.at(key) == current.config[key]) continue;
            if (current.name == kDefault)
                throw Error::invalid("config." + key, "the features of the default project cannot be changed");
            if (std::string held = contents(db, current.name); !held.empty())
                throw Error(ErrorCode::Conflict, fmt::format("features can only be changed on an empty project; project \"{}\" holds {}",
                                                             current.name, held), "config." + key);
        }
        project_policy::check_project_config(db, next);
        repo::update_project(db, next);
        bool had_profiles = current.config["features.profiles"] == "true", has_profiles = next.config.at("features.profiles") == "true";
        if (!had_profiles && has_profiles) add_default_profile(db, next.name);
        if (had_profiles && !has_profiles) remove_default_profile(db, next.name);
    });
    log::info("project updated", {{"project", std::string(name)}});
    core_->events().lifecycle(std::string(name), "project-updated", api_source("projects", std::string(name), "default"));
}

void ProjectStore::rename(std::string_view name, std::string_view new_name) {
    if (auto rest = core_->rest()) return rest::rename_project(rest, name, new_name);
    if (name == kDefault) throw Error::invalid("name", "the default project cannot be renamed");
    validate_project_name(new_name, "new_name");
    core_->db().transaction([&](SQLite::Database& db) {
        ProjectRecord current = load(db, name);
        if (repo::find_project(db, std::string(new_name)))
            throw Error(ErrorCode::AlreadyExists, fmt::format("project \"{}\" already exists", new_name), "new_name");
        if (std::string held = contents(db, current.name); !held.empty())
            throw Error(ErrorCode::Conflict, fmt::format("only empty projects can be renamed; project \"{}\" holds {}", name, held), "name");
        repo::rename_project(db, current.name, std::string(new_name));
    });
    log::info("project renamed", {{"project", std::string(new_name)}, {"old_name", std::string(name)}});
    core_->events().lifecycle(std::string(new_name), "project-renamed", api_source("projects", std::string(new_name), "default"),
                              {{"old_name", std::string(name)}});
}

void ProjectStore::remove(std::string_view name) {
    if (auto rest = core_->rest()) return rest::delete_project(rest, name);
    if (name == kDefault) throw Error::invalid("name", "the default project cannot be deleted");
    core_->db().transaction([&](SQLite::Database& db) {
        ProjectRecord current = load(db, name);
        if (std::string held = contents(db, current.name); !held.empty())
            throw Error(ErrorCode::Conflict, fmt::format("project \"{}\" is not empty: it holds {}", name, held), "name");
        repo::delete_project(db, current.name);
    });
    log::info("project deleted", {{"project", std::string(name)}});
    core_->events().lifecycle(std::string(name), "project-deleted", api_source("projects", std::string(name), "default"));
}

api::ProjectState ProjectStore::state(std::string_view name) {
    if (auto rest = core_->rest()) return rest::project_state(rest, name);
    return core_->db().read([&](SQLite::Database& db) { return project_policy::project_state(db, load(db, name)); });
}

}  // namespace li
