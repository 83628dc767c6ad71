// InstanceStore::import_backup (LXD's createFromBackup): the backup's index decides name, pool and
// config; its files become a fresh volume with its snapshots; then the rows are written in one
// transaction. Nothing is left behind on failure.
#include <sys/stat.h>

#include <fmt/format.h>

#include "api/backup_json.hpp"
#include "backup/backup_idmap.hpp"
#include "client/rest_images_files.hpp"
#include "backup/backup_restore.hpp"
#include "backup/backup_stream.hpp"
#include "config/config_key.hpp"
#include "config/device_keys.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "image/unpack_limits.hpp"
#include "instance/expand.hpp"
#include "instance/instance_snapshots.hpp"
#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "storage/custom_volume.hpp"
#include "store/instance_repo.hpp"
#include "store/instance_snapshot_repo.hpp"
#include "store/profile_repo.hpp"
#include "sys/fs.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

namespace fs = std::filesystem;

namespace backup {

Index read_checked_index(ManagerCore& core, const fs::path& file, PartKind kind) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw Error(ErrorCode::NotFound, fmt::format("backup file {} not found", file.string()), "path");
    Index index = index_from_yaml(read_index(file));
    scan_backup(file, kind, unpack_limits(core));
    return index;
}

void restore_volume(ManagerCore& core, StorageDriver& pool, const VolumeRef& vol, const Index& index, const fs::path& file,
                    const std::string& part, const std::string& snapshots_part, PartKind kind, const std::string& progress_key,
                    const std::function<void(const fs::path&)>& after_unpack, OperationContext& ctx) {
    UnpackLimits limits = unpack_limits(core);
    if (index.optimized) {
        btrfs_receive_volume(pool, vol, index.snapshots, part, snapshots_part, file, limits, ctx);
        return;
    }
    const uint64_t size = std::max<uint64_t>(fs::file_size(file), 1);
    const uint64_t passes = index.snapshots.size() + 1;
    uint64_t pass = 0;
    auto progress = [&](uint64_t read) {
        ctx.check_cancelled();
        ctx.progress(progress_key, "Unpack", static_cast<int>(std::min<uint64_t>(99, 100 * (pass * size + read) / (passes * size))));
    };
    auto unpack = [&](const std::string& prefix, const fs::path& dest) {
        if (!unpack_part(file, prefix, dest, kind, limits, progress))
            throw Error::invalid(prefix, fmt::format("backup {} has no \"{}\"", file.string(), prefix));
        // An instance volume's top is ours, not the archive's: LXD's is 0100, which unprivileged
        // containers cannot traverse; ours are 0711.
        if (kind == PartKind::Instance && ::chmod(dest.c_str(), 0711) != 0)
            throw Error::from_errno("chmod " + dest.string(), errno);
        if (after_unpack) after_unpack(dest);
        ++pass;
    };
    // An instance volume's dot entries at its top are the driver's own; a custom volume's are the user's.
    auto clear = [&](const fs::path& dir) {
        for (const auto& e : fs::directory_iterator(dir))
            if (kind == PartKind::Volume || !e.path().filename().string().starts_with(".")) remove_tree(e.path());
    };
    const std::string first = index.snapshots.empty() ? part : snapshots_part + "/" + index.snapshots.front();
    pool.create_volume(vol, [&](const fs::path& dest) {
        fs::create_directories(dest);
        unpack(first, dest);
    });
    Reverter revert;
    revert.add([&pool, vol] { pool.delete_volume(vol); });  // its snapshots go with it
    for (size_t i = 0; i < index.snapshots.size(); ++i) {
        if (i > 0) {
            clear(pool.volume_path(vol));
            unpack(snapshots_part + "/" + index.snapshots[i], pool.volume_path(vol));
        }
        ctx.check_cancelled();
        pool.create_snapshot(vol, index.snapshots[i], ctx);
    }
    if (!index.snapshots.empty()) {
        clear(pool.volume_path(vol));
        unpack(part, pool.volume_path(vol));
    }
    revert.success();
}

}  // namespace backup

namespace {

// The root disk device's name in a device map ("" when there is none).
std::string root_device_name(const api::DeviceMap& devices) {
    for (const auto& [name, d] : devices) {
        auto type = d.find("type");
        auto path = d.find("path");
        if (type != d.end() && type->second == "disk" && path != d.end() && path->second == "/") return name;
    }
    return {};
}

// A snapshot's own name: LXD's older backups name them "<instance>/<snapshot>".
std::string own_name(const std::string& name) { return name.substr(name.find('/') == std::string::npos ? 0 : name.find('/') + 1); }

std::vector<ProfileRecord> profiles_or_throw(SQLite::Database& db, const std::string& project, const std::vector<std::string>& names) {
    std::vector<ProfileRecord> out;
    for (const auto& p : names) {
        auto profile = repo::find_profile(db, project, p);
        if (!profile) throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", p, project), "profiles");
        out.push_back(std::move(*profile));
    }
    return out;
}

std::string import_instance(ManagerCore& core, const std::string& project, const fs::path& file, const BackupImportOptions& opts,
                            OperationContext& ctx) {
    backup::Index index = backup::read_checked_index(core, file, backup::PartKind::Instance);
    // A VM's volume (root.img, boot/, metadata) is restored as any volume's files are.
    if (index.type != "container" && index.type != "virtual-machine")
        throw Error(ErrorCode::NotSupported,
                    fmt::format("backup {} holds a {} (only containers and virtual machines can be imported)", file.string(),
                                index.type), "type");
    if (!index.config || !index.config->instance)
        throw Error::invalid("index.yaml: config.container", fmt::format("backup {} has no instance config in its index.yaml", file.string()));
    const api::Instance& source = *index.config->instance;
    const std::string name = opts.name.empty() ? index.name : opts.name;
    validate_instance_name(name);

    InstanceRecord record;
    record.project = project;
    record.name = name;
    record.type = index.type;
    record.architecture = source.architecture;
    record.description = source.description;
    record.ephemeral = source.ephemeral;
    record.created_at = source.created_at.empty() || source.created_at.starts_with("0001-") ? now_rfc3339() : source.created_at;
    record.last_used_at = source.last_used_at;
    record.config = source.config;
    record.config.erase("volatile.last_state.power");  // it is stopped here, whatever it was there
    // Files LXD shifted on disk are shifted back: ours keep the container's own ids.
    std::vector<IdRawEntry> shifted_by;
    if (auto it = record.config.find("volatile.last_state.idmap"); it != record.config.end()) {
        shifted_by = api::lxd_idmap_from_json(it->second, "config.volatile.last_state.idmap");
        if (index.optimized && !shifted_by.empty())
            throw Error(ErrorCode::NotSupported, "an optimized backup of files shifted on disk cannot be imported",
                        "config.volatile.last_state.idmap");
        it->second = "[]";
    }
    record.devices = source.devices;
    record.profiles = source.profiles;
    // The backup's volatile keys are its own state (kept, as LXD does); the rest is checked as
    // any instance's config.
    api::ConfigMap settable;
    for (const auto& [k, v] : record.config)
        if (!k.starts_with("volatile.")) settable[k] = v;
    config::validate_instance_config(settable, record.type);
    config::validate_devices(record.devices, record.type);

    auto lock = core.locks().lock_instance(project, name);
    std::string pool_name;
    std::vector<ProfileRecord> profiles = core.db().read([&](SQLite::Database& db) {
        if (repo::find_instance(db, project, name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("instance \"{}\" already exists in project \"{}\"", name, project), "name");
        auto known_pool = [&](const std::string& pool) {
            auto names = core.pool_names();
            return std::find(names.begin(), names.end(), pool) != names.end();
        };
        if (!opts.pool.empty()) {
            if (!known_pool(opts.pool)) throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", opts.pool), "pool");
            pool_name = opts.pool;
        } else if (!index.pool.empty() && known_pool(index.pool)) {
            pool_name = index.pool;
        } else {
            // As LXD: the root pool of the project's default profile.
            auto defaults = profiles_or_throw(db, project, {"default"});
            pool_name = root_disk_pool(expand_instance(defaults, {}, {}).devices);
            if (pool_name.empty() || !known_pool(pool_name))
                throw Error(ErrorCode::NotFound,
                            fmt::format("storage pool \"{}\" of backup {} not found and the default profile has no root pool",
                                        index.pool, file.string()), "pool");
        }
        return profiles_or_throw(db, project, record.profiles);
    });
    // The instance's root disk names the pool it lands on (a profile's root disk is overridden).
    Expanded expanded = expand_instance(profiles, record.config, record.devices);
    std::string root = root_device_name(expanded.devices);
    if (root.empty()) throw Error::invalid("devices", fmt::format("backup {}: the instance has no root disk device", file.string()));
    if (root_disk_pool(expanded.devices) != pool_name) {
        record.devices[root] = expanded.devices.at(root);
        record.devices[root]["pool"] = pool_name;
        expanded = expand_instance(profiles, record.config, record.devices);
    }
    config::validate_key_combinations(expanded.config);
    core.db().read([&](SQLite::Database& db) { check_custom_volume_devices(db, project, expanded.devices, record.type); return 0; });

    std::vector<InstanceSnapshotRecord> snapshots;
    for (const auto& s : index.snapshots) {
        validate_snapshot_name(s, "snapshots");
        InstanceSnapshotRecord r;
        r.name = s;
        r.architecture = record.architecture;
        r.config = record.config;
        r.devices = record.devices;
        r.profiles = record.profiles;
        r.created_at = now_rfc3339();
        for (const auto& c : index.config->snapshots) {
            if (own_name(c.name) != s) continue;
            r.description = c.description;
            r.architecture = c.architecture;
            r.ephemeral = c.ephemeral;
            r.config = c.config;
            r.devices = c.devices;
            r.profiles = c.profiles;
            if (!c.created_at.empty() && !c.created_at.starts_with("0001-")) r.created_at = c.created_at;
            r.expires_at = c.expires_at;
            r.last_used_at = c.last_used_at;
        }
        r.config.erase("volatile.last_state.power");
        if (r.config.count("volatile.last_state.idmap")) r.config["volatile.last_state.idmap"] = "[]";
        snapshots.push_back(std::move(r));
    }

    StorageDriver& pool = core.pool(pool_name);
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, name)};
    if (pool.volume_exists(vol))
        throw Error(ErrorCode::AlreadyExists,
                    fmt::format("storage pool \"{}\" already has files for an instance \"{}\" (left by a crash?)", pool_name, name), "name");
    Reverter revert;
    backup::restore_volume(core, pool, vol, index, file, "backup/container", "backup/snapshots", backup::PartKind::Instance,
                           "create_instance_from_backup_progress",
                           [&](const fs::path& dir) { backup::unshift_tree(dir / "rootfs", shifted_by); }, ctx);
    revert.add([&pool, vol] { pool.delete_volume(vol); });
    apply_root_disk_size(pool, vol, expanded.devices);
    ctx.check_cancelled();
    core.db().transaction([&](SQLite::Database& db) {
        project_policy::check_instance(db, record);
        int64_t id = repo::insert_instance(db, record);
        for (auto& s : snapshots) {
            s.instance_id = id;
            repo::insert_instance_snapshot(db, s);
        }
    });
    revert.success();
    backup::write_instance_backup_file(core, project, name);
    log::info("instance imported from a backup", {{"instance", name}, {"project", project}, {"file", file.string()}});
    core.events().lifecycle(project, "instance-created", api_source("instances", name, project),
                            {{"type", record.type}, {"storage-pool", pool_name}});
    return name;
}

}  // namespace

Instance InstanceStore::import_backup(std::string_view project, const fs::path& file, const BackupImportOptions& opts) {
    if (auto rest = core_->rest()) {
        Operation op = rest::import_backup(rest, project, file, opts);
        op.get();
        return Instance(core_, std::string(project), op.info().metadata.at("name"));
    }
    Operation op = import_backup_async(project, file, opts);
    op.get();
    return Instance(core_, project_or_default(project), op.info().metadata.at("name"));
}

Operation InstanceStore::import_backup_async(std::string_view project_in, const fs::path& file, const BackupImportOptions& opts) {
    if (auto rest = core_->rest()) return rest::import_backup(rest, project_in, file, opts);
    std::string project = project_scope(*core_, project_in, ProjectFeature::None);
    if (!opts.name.empty()) validate_instance_name(opts.name);
    auto core = core_;
    fs::path absolute = fs::absolute(file);
    OperationSpec spec{"Restoring backup", project, {{"instances", {}}}, true};
    return core_->operations().run(spec, [core, project, absolute, opts](OperationContext& ctx) {
        std::string name;
        try {
            name = import_instance(*core, project, absolute, opts, ctx);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("importing {}", absolute.string()));
        }
        ctx.set_metadata("name", name);
    }, true, core_);
}

}  // namespace li
