// restricted.*: what a restricted project's instances and profiles may not use.
#include "project/project_restrictions.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "config/validators.hpp"
#include "libinstance/error.hpp"
#include "project/project_keys.hpp"
#include "project/project_policy.hpp"
#include "store/profile_repo.hpp"
#include "sys/idmap.hpp"

namespace li::project_policy {

namespace {

bool is_restricted(const ProjectRecord& p) {
    auto it = p.config.find("restricted");
    return it != p.config.end() && config::is_true(it->second);
}

std::string restriction(const ProjectRecord& p, const std::string& key) {
    auto it = p.config.find(key);
    return it != p.config.end() && !it->second.empty() ? it->second : std::string(project_keys::restriction_default(key));
}

[[noreturn]] void forbid(const ProjectRecord& p, const std::string& field, const std::string& what, const std::string& key) {
    throw Error(ErrorCode::PermissionDenied,
                fmt::format("{} in restricted project \"{}\" ({} is \"{}\")", what, p.name, key, restriction(p, key)), field);
}

// Whether every host id raw.idmap maps lies in the project's allowed ranges ("N" or "N-M", comma-separated).
bool ids_allowed(const std::string& ranges, uint64_t start, uint64_t size) {
    size_t pos = 0;
    while (pos < ranges.size()) {
        size_t comma = ranges.find(',', pos);
        std::string part = ranges.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        size_t dash = part.find('-');
        uint64_t lo = std::stoull(part.substr(0, dash)), hi = dash == std::string::npos ? lo : std::stoull(part.substr(dash + 1));
        if (start >= lo && start + size - 1 <= hi) return true;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return false;
}

void check_raw_idmap(const ProjectRecord& p, const std::string& value, const std::string& field) {
    for (const auto& entry : parse_raw_idmap(value)) {
        if (entry.is_uid && !ids_allowed(restriction(p, "restricted.idmap.uid"), entry.host_start, entry.size))
            forbid(p, field, fmt::format("host UIDs {}-{} of raw.idmap are not allowed", entry.host_start, entry.host_start + entry.size - 1),
                   "restricted.idmap.uid");
        if (entry.is_gid && !ids_allowed(restriction(p, "restricted.idmap.gid"), entry.host_start, entry.size))
            forbid(p, field, fmt::format("host GIDs {}-{} of raw.idmap are not allowed", entry.host_start, entry.host_start + entry.size - 1),
                   "restricted.idmap.gid");
    }
}

bool container_lowlevel(const std::string& key) {
    static const std::vector<std::string> keys = {"boot.host_shutdown_timeout", "linux.kernel_modules", "raw.apparmor", "raw.idmap",
                                                  "raw.lxc", "raw.seccomp", "security.devlxd.images", "security.idmap.base",
                                                  "security.idmap.size"};
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool vm_lowlevel(const std::string& key) {
    return key == "boot.host_shutdown_timeout" || key == "limits.memory.hugepages" || key == "raw.qemu";
}

// for_container / for_vm: which rules apply (both for a profile).
void check_config(const ProjectRecord& p, const api::ConfigMap& config, bool for_container, bool for_vm, const std::string& owner) {
    for (const auto& [key, value] : config) {
        const std::string field = "config." + key;
        if (for_container && key == "raw.idmap" && restriction(p, "restricted.containers.lowlevel") != "allow") {
            check_raw_idmap(p, value, field);
            continue;
        }
        if (for_container && container_lowlevel(key) && restriction(p, "restricted.containers.lowlevel") != "allow")
            forbid(p, field, fmt::format("low-level option {} of {} is forbidden", key, owner), "restricted.containers.lowlevel");
        if (for_vm && vm_lowlevel(key) && restriction(p, "restricted.virtual-machines.lowlevel") != "allow")
            forbid(p, field, fmt::format("low-level option {} of {} is forbidden", key, owner), "restricted.virtual-machines.lowlevel");
        if (!for_container) continue;
        if (key.starts_with("security.syscalls.intercept.") && config::is_true(value) &&
            restriction(p, "restricted.containers.interception") == "block")
            forbid(p, field, fmt::format("system call interception ({}) of {} is forbidden", key, owner), "restricted.containers.interception");
        if (key == "security.nesting" && config::is_true(value) && restriction(p, "restricted.containers.nesting") != "allow")
            forbid(p, field, fmt::format("container nesting of {} is forbidden", owner), "restricted.containers.nesting");
        if (key == "security.privileged" && config::is_true(value) && restriction(p, "restricted.containers.privilege") != "allow")
            forbid(p, field, fmt::format("privileged containers are forbidden ({})", owner), "restricted.containers.privilege");
    }
}

bool under_allowed_path(const std::string& allowed, const std::string& source) {
    size_t pos = 0;
    while (pos < allowed.size()) {
        size_t comma = allowed.find(',', pos);
        std::string prefix = allowed.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
        if (source == prefix || (source.starts_with(prefix) && (prefix == "/" || source[prefix.size()] == '/'))) return true;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return false;
}

std::string get(const std::map<std::string, std::string>& device, const char* key) {
    auto it = device.find(key);
    return it == device.end() ? std::string() : it->second;
}

void check_devices(const ProjectRecord& p, const api::DeviceMap& devices, const std::string& owner) {
    for (const auto& [name, device] : devices) {
        const std::string field = "devices." + name, type = get(device, "type");
        if (type == "disk") {
            if (get(device, "path") == "/" && !get(device, "pool").empty()) continue;  // the root disk is always allowed
            std::string rule = restriction(p, "restricted.devices.disk");
            if (rule == "block") forbid(p, field, fmt::format("disk devices are forbidden ({})", owner), "restricted.devices.disk");
            if (rule == "managed" && get(device, "pool").empty())
                forbid(p, field, fmt::format("disks not backed by a storage pool are forbidden (device \"{}\" of {})", name, owner),
                       "restricted.devices.disk");
            std::string paths = restriction(p, "restricted.devices.disk.paths");
            if (rule == "allow" && get(device, "pool").empty() && !paths.empty() && !under_allowed_path(paths, get(device, "source")))
                forbid(p, field, fmt::format("host path \"{}\" of {} is not allowed", get(device, "source"), owner),
                       "restricted.devices.disk.paths");
        } else if (type == "nic") {
            std::string rule = restriction(p, "restricted.devices.nic");
            if (rule == "block") forbid(p, field, fmt::format("network devices are forbidden ({})", owner), "restricted.devices.nic");
            if (rule == "managed" && get(device, "network").empty())
                forbid(p, field, fmt::format("only nics on a managed network are allowed (device \"{}\" of {})", name, owner),
                       "restricted.devices.nic");
        } else if (type == "unix-char" || type == "unix-block" || type == "unix-hotplug" || type == "usb" || type == "gpu" ||
                   type == "infiniband" || type == "pci" || type == "proxy") {
            std::string key = "restricted.devices." + type;
            if (restriction(p, key) != "allow") forbid(p, field, fmt::format("{} devices are forbidden ({})", type, owner), key);
        }
    }
}

// An instance as expanded (its profiles applied), so what a profile brings counts too.
void check_expanded_restrictions(const ProjectRecord& p, const project_usage::ExpandedInstance& inst) {
    std::string owner = fmt::format("instance \"{}\"", inst.name);
    api::ConfigMap config;
    for (const auto& [key, value] : inst.expanded.config)
        if (!key.starts_with("volatile.") && !key.starts_with("image.")) config[key] = value;
    bool vm = inst.type == "virtual-machine";
    check_config(p, config, !vm, vm, owner);
    check_devices(p, inst.expanded.devices, owner);
    if (!vm && restriction(p, "restricted.containers.privilege") == "isolated") {
        auto it = config.find("security.idmap.isolated");
        if (it == config.end() || !config::is_true(it->second))
            forbid(p, "config.security.idmap.isolated", fmt::format("containers must set security.idmap.isolated=true ({})", owner),
                   "restricted.containers.privilege");
    }
}

}  // namespace

void check_instance_restrictions(SQLite::Database& db, const ProjectRecord& p, const InstanceRecord& candidate) {
    if (is_restricted(p)) check_expanded_restrictions(p, project_usage::expand(db, candidate, nullptr));
}

void check_profile_restrictions(const ProjectRecord& p, const ProfileRecord& profile) {
    if (!is_restricted(p)) return;
    std::string owner = fmt::format("profile \"{}\"", profile.name);
    check_config(p, profile.config, true, true, owner);
    check_devices(p, profile.devices, owner);
}

void check_network_restrictions(const ProjectRecord& p, const NetworkRecord& network) {
    if (!is_restricted(p)) return;
    std::string parent = get(network.config, "parent");
    if (parent.empty()) return;
    std::string uplinks = "," + restriction(p, "restricted.networks.uplinks") + ",";
    if (uplinks.find("," + parent + ",") == std::string::npos)
        forbid(p, "config.parent", fmt::format("uplink \"{}\" of network \"{}\" is not allowed", parent, network.name),
               "restricted.networks.uplinks");
}

void check_existing_restrictions(SQLite::Database& db, const ProjectRecord& next,
                                 const std::vector<project_usage::ExpandedInstance>& instances) {
    if (!is_restricted(next)) return;
    for (const auto& profile : repo::list_profiles(db, next.name))
        if (profile.project == next.name) check_profile_restrictions(next, profile);
    for (const auto& inst : instances) check_expanded_restrictions(next, inst);
}

void check_snapshots_allowed(SQLite::Database& db, const std::string& project) {
    auto p = repo::find_project(db, project.empty() ? "default" : project);
    if (p && is_restricted(*p) && restriction(*p, "restricted.snapshots") != "allow")
        forbid(*p, "snapshots", "snapshots are forbidden", "restricted.snapshots");
}

void check_backups_allowed(SQLite::Database& db, const std::string& project) {
    auto p = repo::find_project(db, project.empty() ? "default" : project);
    if (p && is_restricted(*p) && restriction(*p, "restricted.backups") != "allow")
        forbid(*p, "backups", "backups are forbidden", "restricted.backups");
}

}  // namespace li::project_policy
