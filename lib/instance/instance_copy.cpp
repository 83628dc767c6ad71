// Instance copies (same pool: the driver's clone; another pool: a flattened whole copy) and
// moves of a stopped instance's volume between pools.
#include "instance/instance_copy.hpp"

#include <optional>

#include <fmt/format.h>

#include "backup/backup_config.hpp"
#include "config/config_key.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/failpoint.hpp"
#include "core/intent.hpp"
#include "core/log.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "image/templates.hpp"
#include "instance/instance_loader.hpp"
#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_transfer.hpp"
#include "store/instance_repo.hpp"
#include "store/instance_snapshot_repo.hpp"
#include "store/profile_repo.hpp"
#include "project/project_policy.hpp"

namespace li {

namespace {

// Keys that belong to one instance, not to its copies: its idmap (a copy gets its own at first
// start), its MAC addresses and host-side names, its power state. volatile.base_image stays:
// it ties the copy to the image its files came from.
bool identifies_original(const std::string& key) {
    if (!key.starts_with("volatile.")) return false;
    return key != "volatile.base_image";
}

// The root disk device's name in an expanded device map ("" when there is none).
std::string root_device_name(const api::DeviceMap& devices) {
    for (const auto& [name, d] : devices) {
        auto type = d.find("type");
        auto path = d.find("path");
        if (type != d.end() && type->second == "disk" && path != d.end() && path->second == "/") return name;
    }
    return {};
}

// Locks two instances in name order, so two copies in opposite directions cannot deadlock.
std::pair<std::unique_lock<std::mutex>, std::unique_lock<std::mutex>> lock_pair(ManagerCore& core, const std::string& project_a,
                                                                                 const std::string& a, const std::string& project_b,
                                                                                 const std::string& b) {
    if (std::tie(project_a, a) < std::tie(project_b, b)) {
        auto first = core.locks().lock_instance(project_a, a);
        return {std::move(first), core.locks().lock_instance(project_b, b)};
    }
    auto first = core.locks().lock_instance(project_b, b);
    return {core.locks().lock_instance(project_a, a), std::move(first)};
}

// What a copy starts from: an instance, or one of its snapshots ("c1/snap0").
struct CopySource {
    LoadedInstance instance;
    std::optional<InstanceSnapshotRecord> snapshot;
    std::vector<InstanceSnapshotRecord> snapshots;  ///< copied along (oldest first)
};

CopySource load_copy_source(ManagerCore& core, const std::string& project, const api::InstanceSource& source) {
    std::string name = source.source, snapshot;
    if (auto slash = name.find('/'); slash != std::string::npos) {
        snapshot = name.substr(slash + 1);
        name = name.substr(0, slash);
    }
    CopySource out;
    try {
        out.instance = load_instance(core, project, name);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) throw Error(ErrorCode::NotFound, e.what(), "source.source");
        throw;
    }
    core.db().read([&](SQLite::Database& db) {
        if (!snapshot.empty()) {
            out.snapshot = repo::find_instance_snapshot(db, out.instance.record.id, snapshot);
            if (!out.snapshot)
                throw Error(ErrorCode::NotFound, fmt::format("snapshot \"{}\" of instance \"{}\" not found", snapshot, name),
                            "source.source");
        } else if (!source.instance_only) {
            out.snapshots = repo::list_instance_snapshots(db, out.instance.record.id);
        }
        return 0;
    });
    return out;
}

// Makes the copy's volume: a snapshot's files, or the instance's with its snapshots, or only its
// current files (the driver's clone on the same pool).
void copy_volume_of(ManagerCore& core, const CopySource& source, StorageDriver& from_pool, StorageDriver& to_pool,
                    const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) {
    if (source.snapshot) {
        copy_snapshot_to_volume(from_pool, to_pool, from, source.snapshot->name, to, VolumeFiles::Instance, ctx);
        return;
    }
    if (source.snapshots.empty() && &from_pool == &to_pool) {
        from_pool.copy_volume(from, to, ctx);
        return;
    }
    // Reading a running instance's files through its mounted (idmapped) root would copy shifted
    // owners; the driver's own clone is the only live copy.
    if (is_running(core, source.instance))
        throw Error(ErrorCode::Busy,
                    fmt::format("instance \"{}\" is running: stop it to copy it {}", source.instance.record.name,
                                source.snapshots.empty() ? "to another pool" : "with its snapshots (or copy it with instance_only)"),
                    "source.source");
    std::vector<std::string> names;
    for (const auto& s : source.snapshots) names.push_back(s.name);
    copy_volume_with_snapshots(from_pool, to_pool, from, to, names, VolumeFiles::Instance, ctx);
}

}  // namespace

void copy_instance(ManagerCore& core, const std::string& project, const api::InstancesPost& post, OperationContext& ctx) {
    std::string source_project = post.source.project.empty() ? project : post.source.project;
    std::string source_name = post.source.source.substr(0, post.source.source.find('/'));
    if (source_project == project && source_name == post.name)
        throw Error::invalid("name", fmt::format("an instance cannot be copied onto itself (\"{}\")", post.name));
    auto locks = lock_pair(core, source_project, source_name, project, post.name);

    CopySource source = load_copy_source(core, source_project, post.source);
    // A snapshot's config, devices and profiles are what a copy of it starts from.
    const InstanceRecord& original = source.instance.record;
    const api::ConfigMap& from_config = source.snapshot ? source.snapshot->config : original.config;
    const api::DeviceMap& from_devices = source.snapshot ? source.snapshot->devices : original.devices;
    InstanceRecord record;
    record.project = project;
    record.name = post.name;
    record.type = original.type;
    record.architecture = source.snapshot ? source.snapshot->architecture : original.architecture;
    record.description = post.description.empty() ? original.description : post.description;
    record.ephemeral = post.ephemeral;
    record.created_at = now_rfc3339();
    for (const auto& [k, v] : from_config)
        if (!identifies_original(k)) record.config[k] = v;
    for (const auto& [k, v] : post.config)
        if (!k.starts_with("volatile.")) record.config[k] = v;  // the source's own, kept above
    record.devices = from_devices;
    for (const auto& [name, d] : post.devices) record.devices[name] = d;
    record.profiles = post.profiles.value_or(source.snapshot ? source.snapshot->profiles : original.profiles);

    auto profiles = core.db().read([&](SQLite::Database& db) {
        if (repo::find_instance(db, project, post.name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("instance \"{}\" already exists in project \"{}\"", post.name, project), "name");
        std::vector<ProfileRecord> out;
        for (const auto& p : record.profiles) {
            auto profile = repo::find_profile(db, project, p);
            if (!profile) throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", p, project), "profiles");
            out.push_back(std::move(*profile));
        }
        project_policy::check_instance(db, record);  // refused at once; checked again when written
        return out;
    });
    Expanded expanded = expand_instance(profiles, record.config, record.devices);
    config::validate_key_combinations(expanded.config);
    std::string from_pool_name = root_disk_pool(source.instance.expanded.devices);
    std::string to_pool_name = root_disk_pool(expanded.devices);
    StorageDriver& from_pool = core.pool(from_pool_name);
    StorageDriver& to_pool = core.pool(to_pool_name);
    VolumeRef from{VolumeType::Container, project_prefixed_name(source_project, original.name)};
    VolumeRef to{VolumeType::Container, project_prefixed_name(project, post.name)};

    Intent intent(core, "instance.copy", project, post.name, {{to_pool_name, VolumeType::Container, to.name, ""}});
    LI_FAILPOINT("instance.copy.journaled");
    copy_volume_of(core, source, from_pool, to_pool, from, to, ctx);
    LI_FAILPOINT("instance.copy.volume_made");
    apply_root_disk_size(to_pool, to, expanded.devices);  // the copy's own size, not the source's
    ctx.check_cancelled();
    to_pool.mount_volume(to);
    apply_instance_templates(to_pool.volume_path(to), "copy",
                             instance_template_context(record.name, record.type, record.architecture, record.ephemeral,
                                                       expanded.config, expanded.devices));
    to_pool.unmount_volume(to);
    ctx.check_cancelled();
    core.db().transaction([&](SQLite::Database& db) {
        project_policy::check_instance(db, record);
        int64_t id = repo::insert_instance(db, record);
        for (InstanceSnapshotRecord snapshot : source.snapshots) {
            snapshot.id = 0;
            snapshot.instance_id = id;
            api::ConfigMap config;
            for (const auto& [k, v] : snapshot.config)
                if (!identifies_original(k)) config[k] = v;
            snapshot.config = std::move(config);
            repo::insert_instance_snapshot(db, snapshot);
        }
        intent.commit(db);
    });
    LI_FAILPOINT("instance.copy.recorded");
    log::info("instance copied", {{"instance", post.name}, {"project", project}, {"source", post.source.source}});
    backup::write_instance_backup_file(core, project, post.name);
    core.events().lifecycle(project, "instance-created", api_source("instances", post.name, project),
                            {{"type", record.type}, {"storage-pool", to_pool_name},
                             {"source", api_source("instances", post.source.source, source_project)}});
}

void rename_instance(ManagerCore& core, const std::string& project, const std::string& name, const std::string& new_name) {
    validate_instance_name(new_name);
    if (new_name == name) return;
    auto locks = lock_pair(core, project, name, project, new_name);
    LoadedInstance loaded = load_instance(core, project, name);
    if (is_running(core, loaded))
        throw Error(ErrorCode::Busy, fmt::format("instance \"{}\" is running: stop it to rename it", name), "name");
    core.db().read([&](SQLite::Database& db) {
        if (repo::find_instance(db, project, new_name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("instance \"{}\" already exists in project \"{}\"", new_name, project), "name");
        return 0;
    });
    InstanceSpec spec = spec_of(core, loaded);
    InstanceDriver& driver = core.instance_driver(spec.type);
    StorageDriver& pool = core.pool(spec.pool);
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, name)};
    std::string new_volume = project_prefixed_name(project, new_name);

    Reverter revert;
    pool.rename_volume(vol, new_volume);
    revert.add([&pool, &vol, new_volume] { pool.rename_volume(VolumeRef{VolumeType::Container, new_volume}, vol.name); });
    driver.rename(spec, new_name);
    revert.add([&driver, spec, new_name] {
        InstanceSpec renamed = spec;
        renamed.name = new_name;
        driver.rename(renamed, spec.name);
    });
    core.db().transaction([&](SQLite::Database& db) { repo::rename_instance(db, loaded.record.id, new_name); });
    revert.success();
    log::info("instance renamed", {{"instance", new_name}, {"project", project}, {"old_name", name}});
    backup::write_instance_backup_file(core, project, new_name);
    core.events().lifecycle(project, "instance-renamed", api_source("instances", new_name, project), {{"old_name", name}});
}

void move_instance_to_pool(ManagerCore& core, const std::string& project, const std::string& name, const std::string& pool,
                           OperationContext& ctx) {
    auto lock = core.locks().lock_instance(project, name);
    LoadedInstance loaded = load_instance(core, project, name);
    std::string from_pool_name = root_disk_pool(loaded.expanded.devices);
    if (pool == from_pool_name)
        throw Error::invalid("pool", fmt::format("instance \"{}\" is already on storage pool \"{}\"", name, pool));
    StorageDriver& to_pool = [&]() -> StorageDriver& {
        try {
            return core.pool(pool);
        } catch (const Error& e) {
            throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", pool), "pool");
        }
    }();
    if (is_running(core, loaded))
        throw Error(ErrorCode::Busy, fmt::format("instance \"{}\" is running: stop it to move it to another pool", name), "name");
    StorageDriver& from_pool = core.pool(from_pool_name);
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, name)};

    // The instance's own root disk names the new pool (a profile's root disk is overridden, as
    // LXD does), so its profiles stay unchanged.
    std::string root = root_device_name(loaded.expanded.devices);
    InstanceRecord next = loaded.record;
    next.devices[root] = loaded.expanded.devices.at(root);
    next.devices[root]["pool"] = pool;

    std::vector<std::string> snapshots = core.db().read([&](SQLite::Database& db) {
        std::vector<std::string> names;
        for (const auto& s : repo::list_instance_snapshots(db, loaded.record.id)) names.push_back(s.name);
        return names;
    });
    {
        // Once the copy is recorded the old volume is only garbage: the journal entry removes it.
        Intent intent(core, "instance.move", project, name, {{pool, VolumeType::Container, vol.name, ""}});
        LI_FAILPOINT("instance.move.journaled");
        copy_volume_with_snapshots(from_pool, to_pool, vol, vol, snapshots, VolumeFiles::Instance, ctx);
        LI_FAILPOINT("instance.move.volume_made");
        change_root_disk_size(to_pool, vol, {}, loaded.expanded.devices);  // the size moves with it
        ctx.check_cancelled();
        core.db().transaction([&](SQLite::Database& db) {
            repo::update_instance(db, next);
            // Its snapshots are on the new pool too: restoring one must not point back.
            for (auto snapshot : repo::list_instance_snapshots(db, loaded.record.id)) {
                if (snapshot.devices.count(root))
                    snapshot.devices[root]["pool"] = pool;
                else
                    snapshot.devices[root] = next.devices[root];
                repo::update_instance_snapshot(db, snapshot);
            }
            intent.commit(db, {{from_pool_name, VolumeType::Container, vol.name, ""}});
        });
        LI_FAILPOINT("instance.move.recorded");
    }
    log::info("instance moved", {{"instance", name}, {"project", project}, {"pool", pool}});
    backup::write_instance_backup_file(core, project, name);
    core.events().lifecycle(project, "instance-updated", api_source("instances", name, project), {{"storage-pool", pool}});
}

}  // namespace li
