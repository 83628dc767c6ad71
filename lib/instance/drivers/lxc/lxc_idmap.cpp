#include "instance/drivers/lxc/lxc_idmap.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <cstdlib>
#include <mutex>
#include <pwd.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config/validators.hpp"
#include "core/manager_core.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "store/instance_repo.hpp"

namespace li {

namespace {

constexpr uint64_t kIsolatedDefaultSize = 65536;
constexpr uint64_t kAllIds = 4294967295ull;

std::string value_of(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
}

bool is_set_true(const api::ConfigMap& config, const std::string& key) { return config::is_true(value_of(config, key)); }

uint64_t number_or(const std::string& text, uint64_t fallback) {
    try {
        return text.empty() ? fallback : std::stoull(text);
    } catch (...) {
        return fallback;
    }
}

uint64_t isolated_size(const api::ConfigMap& config) { return number_or(value_of(config, "security.idmap.size"), kIsolatedDefaultSize); }

// LXD's volatile.idmap.* format: a JSON list of uid and gid entries.
std::string idmap_json(const IdMap& map, bool privileged) {
    if (privileged) return "[]";
    std::string out = fmt::format("[{{\"Isuid\":true,\"Isgid\":false,\"Hostid\":{},\"Nsid\":0,\"Maprange\":{}}},"
                                  "{{\"Isuid\":false,\"Isgid\":true,\"Hostid\":{},\"Nsid\":0,\"Maprange\":{}}}",
                                  map.uid.host_start, map.uid.size, map.gid.host_start, map.gid.size);
    // raw.idmap entries follow, as LXD records them.
    for (const auto& r : map.raw)
        out += fmt::format(",{{\"Isuid\":{},\"Isgid\":{},\"Hostid\":{},\"Nsid\":{},\"Maprange\":{}}}", r.is_uid, r.is_gid,
                           r.host_start, r.ns_start, r.size);
    return out + "]";
}

// raw.idmap's entries punch holes in an unprivileged container's map.
IdMap with_raw(IdMap map, const api::ConfigMap& config) {
    map.raw = parse_raw_idmap(value_of(config, "raw.idmap"));
    return map;
}

// Whether a shadow id-map tool is on PATH with the privilege to map other ids (setuid, or file
// capabilities), as liblxc looks for it.
bool privileged_tool_on_path(const std::string& tool) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string file = (dir.empty() ? "." : dir) + "/" + tool;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        return (st.st_mode & S_ISUID) != 0 || ::getxattr(file.c_str(), "security.capability", nullptr, 0) > 0;
    }
    return false;
}

// liblxc writes a container's map through newuidmap/newgidmap whenever both are usable, even as
// root, and they only map the host ids /etc/subuid and /etc/subgid delegate to the caller: a
// raw.idmap entry outside them would fail late inside liblxc. Refuse it up front with the line
// to add, as LXD's documentation asks of its users.
void check_raw_delegated(const IdMap& map) {
    if (map.raw.empty() || !privileged_tool_on_path("newuidmap") || !privileged_tool_on_path("newgidmap")) return;
    uid_t uid = ::getuid();
    std::string name = std::to_string(uid);
    if (struct passwd* pw = ::getpwuid(uid)) name = pw->pw_name;
    for (const auto& r : map.raw) {
        for (bool is_uid : {true, false}) {
            if (!(is_uid ? r.is_uid : r.is_gid)) continue;
            const char* file = is_uid ? "/etc/subuid" : "/etc/subgid";
            if (subid_delegates(file, name, std::to_string(uid), IdRange{r.host_start, r.size})) continue;
            std::string ids = r.size == 1 ? std::to_string(r.host_start) : fmt::format("{}-{}", r.host_start, r.host_start + r.size - 1);
            throw Error(ErrorCode::PermissionDenied,
                        fmt::format("raw.idmap maps host {} {}, which {} does not delegate to {} (liblxc maps ids through "
                                    "new{}map): add \"{}:{}:{}\" to {}",
                                    is_uid ? "uid" : "gid", ids, file, name, is_uid ? "uid" : "gid", name, r.host_start,
                                    r.size, file),
                        "config.raw.idmap");
        }
    }
}

// The host range both uids and gids may use.
IdRange common_range(const IdMap& host) {
    uint64_t start = std::max(host.uid.host_start, host.gid.host_start);
    uint64_t end = std::min(host.uid.host_start + host.uid.size, host.gid.host_start + host.gid.size);
    return IdRange{start, end > start ? end - start : 0};
}

// Allocations of concurrent starts in this process must not pick the same range.
std::mutex& allocation_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

std::optional<uint64_t> find_free_idmap_base(const IdRange& host, uint64_t size, std::vector<IdRange> taken) {
    std::sort(taken.begin(), taken.end(), [](const IdRange& a, const IdRange& b) { return a.host_start < b.host_start; });
    uint64_t end = host.host_start + host.size;
    uint64_t base = host.host_start + kIsolatedDefaultSize;
    for (const auto& t : taken) {
        if (base + size <= t.host_start) break;  // fits before this one
        base = std::max(base, t.host_start + t.size);
    }
    if (base + size > end) return std::nullopt;
    return base;
}

IdMap container_idmap(ManagerCore& core, const api::ConfigMap& config) {
    if (is_set_true(config, "security.privileged")) return IdMap{{0, kAllIds}, {0, kAllIds}, {}};
    if (!is_set_true(config, "security.idmap.isolated")) return with_raw(core.idmap(), config);
    uint64_t base = number_or(value_of(config, "volatile.idmap.base"), 0);
    if (base == 0) return with_raw(core.idmap(), config);  // not started yet: no range allocated
    uint64_t size = isolated_size(config);
    return with_raw(IdMap{{base, size}, {base, size}, {}}, config);
}

IdMap assign_container_idmap(ManagerCore& core, const InstanceSpec& spec) {
    const api::ConfigMap& config = spec.config;
    const bool privileged = is_set_true(config, "security.privileged");
    std::lock_guard guard(allocation_mutex());
    return core.db().transaction([&](SQLite::Database& db) {
        auto record = repo::find_instance(db, spec.project, spec.name);
        if (!record) throw Error(ErrorCode::NotFound, fmt::format("instance \"{}\" not found", spec.name), "name");
        IdMap map = core.idmap();
        uint64_t base = 0;
        if (privileged) {
            map = IdMap{{0, kAllIds}, {0, kAllIds}, {}};
        } else if (is_set_true(config, "security.idmap.isolated")) {
            IdRange host = common_range(core.idmap());
            uint64_t size = isolated_size(config);
            // Every other isolated container's range, across projects.
            std::vector<IdRange> taken;
            SQLite::Statement projects(db, "SELECT DISTINCT project FROM instances");
            std::vector<std::string> names;
            while (projects.executeStep()) names.push_back(projects.getColumn(0).getString());
            for (const auto& project : names) {
                for (auto& other : repo::list_instances(db, project)) {
                    if (other.id == record->id) continue;
                    LoadedInstance l = expand_record(db, std::move(other));
                    const auto& c = l.expanded.config;
                    if (is_set_true(c, "security.privileged") || !is_set_true(c, "security.idmap.isolated")) continue;
                    uint64_t b = number_or(value_of(c, "volatile.idmap.base"), 0);
                    if (b != 0) taken.push_back(IdRange{b, isolated_size(c)});
                }
            }
            auto overlaps = [&](uint64_t b) {
                return std::any_of(taken.begin(), taken.end(),
                                   [&](const IdRange& t) { return b < t.host_start + t.size && t.host_start < b + size; });
            };
            if (std::string fixed = value_of(config, "security.idmap.base"); !fixed.empty()) {
                base = number_or(fixed, 0);
                if (base < host.host_start || base + size > host.host_start + host.size)
                    throw Error::invalid("config.security.idmap.base",
                                         fmt::format("security.idmap.base {} with size {} is outside the host's subordinate ids "
                                                     "{}-{}", base, size, host.host_start, host.host_start + host.size - 1));
            } else if (uint64_t kept = number_or(value_of(config, "volatile.idmap.base"), 0);
                       kept >= host.host_start + kIsolatedDefaultSize && kept + size <= host.host_start + host.size && !overlaps(kept)) {
                base = kept;  // the range of the previous start stays the container's
            } else {
                auto found = find_free_idmap_base(host, size, taken);
                if (!found)
                    throw Error(ErrorCode::NotSupported,
                                fmt::format("no room left for an isolated idmap of {} ids in the host's subordinate ids", size),
                                "config.security.idmap.isolated");
                base = *found;
            }
            map = IdMap{{base, size}, {base, size}, {}};
        }
        if (!privileged) {
            map = with_raw(std::move(map), config);
            check_raw_entries_fit(map);  // here, not in container_idmap(): a stopped one stays deletable
            check_raw_delegated(map);
        }
        api::ConfigMap next = record->config;
        std::string json = idmap_json(map, privileged);
        next["volatile.idmap.base"] = std::to_string(base);
        next["volatile.idmap.current"] = json;
        next["volatile.idmap.next"] = json;
        // The rootfs on disk is never shifted (idmapped mounts do it at mount time), as LXD
        // records it for idmapped storage.
        next["volatile.last_state.idmap"] = "[]";
        if (next != record->config) {
            record->config = std::move(next);
            repo::update_instance(db, *record);
        }
        return map;
    });
}

}  // namespace li
