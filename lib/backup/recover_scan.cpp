#include "backup/recover_scan.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "backup/pool_marker.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "instance/expand.hpp"
#include "libinstance/error.hpp"
#include "storage/volume_layout.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"
#include "store/volume_repo.hpp"
#include "sys/fs.hpp"

namespace fs = std::filesystem;

namespace li::backup {

namespace {

constexpr const char* kBackupFile = "backup.yaml";

bool has(const std::vector<FoundPool>& pools, const std::string& name) {
    return std::any_of(pools.begin(), pools.end(), [&](const FoundPool& p) { return p.record.name == name; });
}

// Mounts a pool the database does not know; nullopt (logged) when it cannot be.
std::optional<FoundPool> mount_unknown(ManagerCore& core, PoolRecord record) {
    try {
        auto driver = make_storage_driver(record.driver, core.pool_params(record.name, record.config));
        driver->mount_pool();
        FoundPool found;
        found.record = std::move(record);
        found.driver = driver.get();
        found.owned = std::move(driver);
        return found;
    } catch (const Error& e) {
        log::warn("storage pool found on disk cannot be mounted", {{"pool", record.name}, {"err", e.what()}});
        return std::nullopt;
    }
}

PoolRecord record_of(const api::StoragePool& pool) {
    PoolRecord record;
    record.name = pool.name;
    record.driver = pool.driver;
    record.description = pool.description;
    record.config = pool.config;
    return record;
}

// Pools under the state directory that describe themselves: loop files under disks/ (their
// description is inside, so they are mounted first) and directories under storage-pools/.
void discover_pools(ManagerCore& core, std::vector<FoundPool>& pools) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(core.disks_dir(), ec)) {
        if (entry.path().extension() != ".img" || !entry.is_regular_file(ec)) continue;
        std::string name = entry.path().stem().string();
        if (has(pools, name)) continue;
        PoolRecord guess;
        guess.name = name;
        guess.driver = "btrfs";
        guess.config["source"] = entry.path().string();
        auto found = mount_unknown(core, guess);
        if (!found) continue;
        try {
            if (auto marker = read_pool_marker(pool_root(*found->driver)); marker && marker->name == name) {
                PoolRecord described = record_of(*marker);
                described.config["source"] = entry.path().string();  // where it is now
                found->record = std::move(described);
            }
        } catch (const Error& e) {
            log::warn("storage pool description unreadable", {{"pool", name}, {"err", e.what()}});
        }
        pools.push_back(std::move(*found));
    }
    for (const auto& entry : fs::directory_iterator(core.pools_dir(), ec)) {
        std::string name = entry.path().filename().string();
        if (has(pools, name) || !entry.is_directory(ec)) continue;
        try {
            auto marker = read_pool_marker(entry.path());
            if (!marker || marker->name != name) continue;
            if (auto found = mount_unknown(core, record_of(*marker))) pools.push_back(std::move(*found));
        } catch (const Error& e) {
            log::warn("storage pool description unreadable", {{"pool", name}, {"err", e.what()}});
        }
    }
}

void add_requested_pools(ManagerCore& core, const RecoverOptions& opts, std::vector<FoundPool>& pools) {
    for (size_t i = 0; i < opts.pools.size(); ++i) {
        const api::StoragePoolsPost& post = opts.pools[i];
        std::string key = fmt::format("pools[{}]", i);
        validate_pool_name_for_recovery(post.name, key);
        if (has(pools, post.name)) continue;
        if (post.driver.empty()) throw Error::invalid(key + ".driver", fmt::format("no storage driver given for pool \"{}\"", post.name));
        PoolRecord record;
        record.name = post.name;
        record.driver = post.driver;
        record.description = post.description;
        try {
            record.config = storage_pool_config(post.driver, core.pool_params(post.name, post.config));
        } catch (const Error& e) {
            throw Error(e.code(), fmt::format("pool \"{}\": {}", post.name, e.what()), key + "." + e.key());
        }
        auto driver = make_storage_driver(record.driver, core.pool_params(record.name, record.config));
        try {
            driver->mount_pool();
        } catch (const Error& e) {
            throw Error(e.code(), fmt::format("cannot mount storage pool \"{}\": {}", post.name, e.what()), key);
        }
        FoundPool found;
        found.record = std::move(record);
        found.driver = driver.get();
        found.owned = std::move(driver);
        pools.push_back(std::move(found));
    }
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        if (name.ends_with(".creating") || name.starts_with(".") || !entry.is_directory(ec)) continue;
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> snapshots_on_disk(StorageDriver& driver, const VolumeRef& ref) {
    try {
        return driver.list_snapshots(ref);
    } catch (const Error&) {
        return {};  // a driver without snapshots
    }
}

// The volumes of one pool the database does not know.
void scan_pool(ManagerCore& core, const FoundPool& pool, Scan& scan) {
    fs::path root = pool_root(*pool.driver);
    for (VolumeType type : {VolumeType::Container, VolumeType::Custom}) {
        for (const auto& disk_name : entries(root / volume_type_dir(type))) {
            FoundVolume v;
            v.pool = pool.record.name;
            v.type = type == VolumeType::Container ? "container" : "custom";
            v.ref = VolumeRef{type, disk_name};
            v.name = disk_name;
            v.project = "default";
            fs::path file = type == VolumeType::Custom ? custom_volume_backup_path(root, disk_name)
                                                       : pool.driver->volume_path(v.ref) / kBackupFile;
            std::error_code ec;
            try {
                if (fs::is_regular_file(file, ec)) v.config = config_from_yaml(read_file(file, 16 << 20), file.string());
            } catch (const Error& e) {
                scan.dependency_errors.push_back(e.what());
                continue;
            }
            if (type == VolumeType::Container) {
                if (!v.config || !v.config->instance) {
                    scan.dependency_errors.push_back(
                        fmt::format("instance volume \"{}\" on pool \"{}\" has no usable {}", disk_name, v.pool, kBackupFile));
                    continue;
                }
                v.name = v.config->instance->name;
                v.project = project_or_default(v.config->instance->project);
                v.type = v.config->instance->type;
            } else if (v.config && v.config->volume) {
                v.name = v.config->volume->name;
                v.project = project_or_default(v.config->volume->project);
            }
            if (project_prefixed_name(v.project, v.name) != disk_name) {
                scan.dependency_errors.push_back(fmt::format("{} names \"{}\" in project \"{}\", not volume \"{}\" on pool \"{}\"",
                                                             file.string(), v.name, v.project, disk_name, v.pool));
                continue;
            }
            bool known = core.db().read([&](SQLite::Database& db) {
                if (type == VolumeType::Container) return repo::find_instance(db, v.project, v.name).has_value();
                return pool.record.id != 0 && repo::find_volume(db, pool.record.id, v.project, "custom", v.name).has_value();
            });
            if (known) continue;  // never touched: the database is right about what it has
            v.snapshots = snapshots_on_disk(*pool.driver, v.ref);
            scan.volumes.push_back(std::move(v));
        }
    }
}

bool pool_available(const Scan& scan, const std::string& name) { return has(scan.pools, name); }

bool custom_volume_available(ManagerCore& core, const Scan& scan, const std::string& pool, const std::string& project,
                             const std::string& name) {
    for (const auto& v : scan.volumes)
        if (v.type == "custom" && v.pool == pool && v.project == project && v.name == name) return true;
    return core.db().read([&](SQLite::Database& db) {
        auto p = repo::find_pool(db, pool);
        return p && repo::find_volume(db, p->id, project, "custom", name).has_value();
    });
}

// What an instance needs before its records can exist: its profiles, the pool of its root disk
// and the custom volumes its disks attach.
void check_dependencies(ManagerCore& core, Scan& scan) {
    for (const auto& v : scan.volumes) {
        if (v.type == "custom") continue;
        const api::Instance& i = *v.config->instance;
        for (const auto& profile : i.profiles) {
            bool exists = core.db().read([&](SQLite::Database& db) { return repo::find_profile(db, v.project, profile).has_value(); });
            if (!exists)
                scan.dependency_errors.push_back(fmt::format("instance \"{}\" in project \"{}\" needs profile \"{}\", which does not exist",
                                                             v.name, v.project, profile));
        }
        std::string root_pool;
        try {
            root_pool = root_disk_pool(i.expanded_devices.empty() ? i.devices : i.expanded_devices);
        } catch (const Error&) {
            root_pool = v.pool;
        }
        if (!pool_available(scan, root_pool))
            scan.dependency_errors.push_back(fmt::format("instance \"{}\" in project \"{}\" has its root disk on storage pool \"{}\", which does not exist",
                                                         v.name, v.project, root_pool));
        for (const auto& [device, cfg] : i.expanded_devices.empty() ? i.devices : i.expanded_devices) {
            auto type = cfg.find("type"), pool = cfg.find("pool"), source = cfg.find("source"), path = cfg.find("path");
            if (type == cfg.end() || type->second != "disk" || pool == cfg.end() || source == cfg.end()) continue;
            if (path != cfg.end() && path->second == "/") continue;
            if (source->second.starts_with("/")) continue;
            if (!custom_volume_available(core, scan, pool->second, v.project, source->second))
                scan.dependency_errors.push_back(
                    fmt::format("instance \"{}\" in project \"{}\" attaches storage volume \"{}\" of pool \"{}\" (device \"{}\"), which does not exist",
                                v.name, v.project, source->second, pool->second, device));
        }
    }
}

}  // namespace

void validate_pool_name_for_recovery(const std::string& name, const std::string& key) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name.starts_with("."))
        throw Error::invalid(key + ".name", fmt::format("invalid storage pool name \"{}\"", name));
}

Scan::~Scan() {
    for (auto& p : pools)
        if (p.owned) try {
                p.owned->unmount_pool();
            } catch (const std::exception& e) {
                log::warn("unmounting a scanned storage pool failed", {{"pool", p.record.name}, {"err", e.what()}});
            }
}

RecoverResult Scan::result() const {
    RecoverResult out;
    for (const auto& p : pools)
        if (p.record.id == 0) out.unknown_pools.push_back(p.record.name);
    for (const auto& v : volumes)
        out.unknown_volumes.push_back(RecoverVolume{v.pool, v.project, v.type, v.name, static_cast<int64_t>(v.snapshots.size())});
    out.dependency_errors = dependency_errors;
    return out;
}

Scan scan_for_recovery(ManagerCore& core, const RecoverOptions& opts) {
    Scan scan;
    for (const auto& record : core.db().read([](SQLite::Database& db) { return repo::list_pools(db); })) {
        try {
            FoundPool known;
            known.record = record;
            known.driver = &core.pool(record.name);
            scan.pools.push_back(std::move(known));
        } catch (const Error& e) {
            scan.dependency_errors.push_back(fmt::format("storage pool \"{}\" is not available: {}", record.name, e.what()));
        }
    }
    add_requested_pools(core, opts, scan.pools);
    discover_pools(core, scan.pools);
    for (const auto& pool : scan.pools) scan_pool(core, pool, scan);
    check_dependencies(core, scan);
    return scan;
}

}  // namespace li::backup
