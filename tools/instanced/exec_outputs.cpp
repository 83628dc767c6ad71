#include "exec_outputs.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/operations.hpp"
#include "libinstance/error.hpp"
#include "lifecycle_follow.hpp"

namespace li::daemon {

namespace fs = std::filesystem;

namespace {

UniqueFd create_file(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw Error::from_errno("creating " + path.string(), errno);
    return fd;
}

// Project and instance names cannot hold '/'; the creation time's ':' is kept (a valid file name).
std::string safe(const std::string& text) {
    std::string out = text;
    std::replace(out.begin(), out.end(), '/', '_');
    return out;
}

}  // namespace

fs::path ExecOutputs::dir_of(const api::Instance& instance) const {
    return root_ / safe(instance.project.empty() ? "default" : instance.project) / safe(instance.name + "." + instance.created_at);
}

ExecOutputs::Files ExecOutputs::create(const api::Instance& instance) {
    fs::path dir = dir_of(instance);
    fs::create_directories(dir);
    std::string id = random_uuid();
    Files f;
    f.stdout_name = "exec_" + id + ".stdout";
    f.stderr_name = "exec_" + id + ".stderr";
    f.stdout_fd = create_file(dir / f.stdout_name);
    f.stderr_fd = create_file(dir / f.stderr_name);
    return f;
}

bool ExecOutputs::is_output_name(const std::string& name) {
    static const std::regex form("exec_[0-9a-f-]{1,64}\\.(stdout|stderr)");
    return std::regex_match(name, form);
}

std::vector<std::string> ExecOutputs::list(const api::Instance& instance) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_of(instance), ec))
        if (is_output_name(entry.path().filename().string())) out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::string> ExecOutputs::read(const api::Instance& instance, const std::string& name) const {
    if (!is_output_name(name)) return std::nullopt;
    std::ifstream in(dir_of(instance) / name, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

namespace {

// The directories of the instances called name in project: "<name>.<created_at>" (instance names
// hold no '.', so the first '.' ends the name).
std::vector<fs::path> dirs_named(const fs::path& project_dir, const std::string& name) {
    std::vector<fs::path> out;
    std::error_code ec;
    std::string prefix = safe(name) + ".";
    for (const auto& entry : fs::directory_iterator(project_dir, ec))
        if (entry.path().filename().string().starts_with(prefix)) out.push_back(entry.path());
    return out;
}

}  // namespace

void ExecOutputs::forget(const std::string& project, const std::string& name) const {
    std::error_code ec;
    for (const auto& dir : dirs_named(root_ / safe(project), name)) fs::remove_all(dir, ec);
}

void ExecOutputs::rename(const std::string& project, const std::string& old_name, const std::string& new_name) const {
    std::error_code ec;
    for (const auto& dir : dirs_named(root_ / safe(project), old_name)) {
        std::string created = dir.filename().string().substr(safe(old_name).size());  // ".<created_at>"
        fs::rename(dir, dir.parent_path() / (safe(new_name) + created), ec);
    }
}

std::unique_ptr<Subscription> ExecOutputs::follow(EventBus& bus) const {
    return follow_lifecycle(bus, [this](const LifecycleChange& change) {
        std::string name = instance_of_source(change.source);
        if (name.empty()) return;
        if (change.action == "instance-deleted") forget(change.project, name);
        else if (change.action == "instance-renamed" && !change.old_name.empty()) rename(change.project, change.old_name, name);
    });
}

bool ExecOutputs::remove(const api::Instance& instance, const std::string& name) const {
    if (!is_output_name(name)) return false;
    std::error_code ec;
    return fs::remove(dir_of(instance) / name, ec);
}

}  // namespace li::daemon
