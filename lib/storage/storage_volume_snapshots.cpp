// StorageVolumeStore: snapshots of custom volumes. The driver keeps the files (copy-on-write on
// btrfs, copies on dir); the database keeps what LXD shows of them. Files are made before their
// row and removed before it, so a crash leaves at worst a row whose deletion can be retried.
#include "client/rest_objects.hpp"
#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/clock.hpp"
#include "backup/backup_config.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "instance/expand.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"
#include "storage/custom_volume.hpp"
#include "storage/volume_store_support.hpp"
#include "store/instance_repo.hpp"
#include "store/volume_snapshot_repo.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

using namespace volume_store;

namespace {

std::string snapshot_source(const std::string& pool, const std::string& volume, const std::string& snapshot,
                            const std::string& project) {
    std::string url = fmt::format("/1.0/storage-pools/{}/volumes/custom/{}/snapshots/{}", pool, volume, snapshot);
    if (project != "default") url += "?project=" + project;
    return url;
}

api::StorageVolumeSnapshot to_api(const VolumeSnapshotRecord& r) {
    api::StorageVolumeSnapshot out;
    out.name = r.name;
    out.description = r.description;
    out.config = r.config;
    out.created_at = r.created_at;
    out.expires_at = r.expires_at;
    return out;
}

// LXD's default snapshot names: "snap" and one more than the highest number in use.
std::string next_snapshot_name(const std::vector<VolumeSnapshotRecord>& existing) {
    long next = 0;
    for (const auto& s : existing) {
        if (!s.name.starts_with("snap") || s.name.size() == 4) continue;
        long n = 0;
        const char* first = s.name.data() + 4;
        const char* last = s.name.data() + s.name.size();
        auto [end, ec] = std::from_chars(first, last, n);
        if (ec == std::errc() && end == last) next = std::max(next, n + 1);
    }
    return fmt::format("snap{}", next);
}

struct SnapshotTarget {
    VolumeRecord volume;
    VolumeSnapshotRecord snapshot;
};

SnapshotTarget snapshot_or_throw(SQLite::Database& db, const std::string& pool, const std::string& project,
                                 const std::string& volume, const std::string& snapshot) {
    PoolRecord p = pool_or_throw(db, pool);
    VolumeRecord v = volume_or_throw(db, p, project, volume);
    auto s = repo::find_volume_snapshot(db, v.id, snapshot);
    if (!s)
        throw Error(ErrorCode::NotFound,
                    fmt::format("snapshot \"{}\" of storage volume \"{}\" not found on pool \"{}\"", snapshot, volume, pool),
                    "snapshot");
    return {std::move(v), std::move(*s)};
}

// The running instances with the volume attached (a restore under them would pull their files away).
std::vector<std::string> running_users(ManagerCore& core, const std::string& pool, const std::string& project,
                                       const std::string& volume) {
    std::vector<LoadedInstance> users = core.db().read([&](SQLite::Database& db) {
        std::vector<LoadedInstance> out;
        for (auto& record : repo::list_instances(db, project)) {
            LoadedInstance loaded = expand_record(db, std::move(record));
            for (const auto& [name, device] : loaded.expanded.devices)
                if (device_uses_volume(device, pool, volume)) {
                    out.push_back(std::move(loaded));
                    break;
                }
        }
        return out;
    });
    std::vector<std::string> running;
    for (const auto& loaded : users)
        if (is_running(core, loaded)) running.push_back(loaded.record.name);
    return running;
}

}  // namespace

api::StorageVolumeSnapshot StorageVolumeStore::create_snapshot(std::string_view pool_in, std::string_view volume_in,
                                                               const api::StorageVolumeSnapshotsPost& post,
                                                               std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::create_volume_snapshot(rest, project_in, pool_in, volume_in, post);
    std::string pool(pool_in), volume(volume_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    if (!post.name.empty()) validate_snapshot_name(post.name, "name");
    check_rfc3339(post.expires_at, "expires_at");
    auto lock = core_->locks().lock_storage_pool(pool);
    VolumeSnapshotRecord record;
    core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        VolumeRecord v = volume_or_throw(db, p, project, volume);
        auto existing = repo::list_volume_snapshots(db, v.id);
        record.volume_id = v.id;
        record.config = v.config;
        record.name = post.name.empty() ? next_snapshot_name(existing) : post.name;
        if (std::any_of(existing.begin(), existing.end(), [&](const auto& s) { return s.name == record.name; }))
            throw Error(ErrorCode::AlreadyExists,
                        fmt::format("snapshot \"{}\" of storage volume \"{}\" already exists", record.name, volume), "name");
        return 0;
    });
    record.expires_at = post.expires_at;
    record.created_at = now_rfc3339();

    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, volume);
    OperationContext ctx;
    try {
        driver.create_snapshot(ref, record.name, ctx);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("snapshotting storage volume {}", volume));
    }
    Reverter revert;
    revert.add([&driver, ref, name = record.name] { driver.delete_snapshot(ref, name); });
    core_->db().transaction([&](SQLite::Database& db) {
        project_policy::check_snapshots_allowed(db, std::string(project_in));  // the caller's project restricts
        record.id = repo::insert_volume_snapshot(db, record);
    });
    revert.success();
    log::info("storage volume snapshot created", {{"pool", pool}, {"volume", volume}, {"snapshot", record.name}});
    backup::write_custom_volume_backup_file(*core_, project, pool, volume);
    core_->events().lifecycle(project, "storage-volume-snapshot-created", snapshot_source(pool, volume, record.name, project));
    return to_api(record);
}

std::vector<api::StorageVolumeSnapshot> StorageVolumeStore::list_snapshots(std::string_view pool_in, std::string_view volume_in,
                                                                           std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::list_volume_snapshots(rest, project_in, pool_in, volume_in);
    std::string pool(pool_in), volume(volume_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    return core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        VolumeRecord v = volume_or_throw(db, p, project, volume);
        std::vector<api::StorageVolumeSnapshot> out;
        for (const auto& s : repo::list_volume_snapshots(db, v.id)) out.push_back(to_api(s));
        return out;
    });
}

api::StorageVolumeSnapshot StorageVolumeStore::get_snapshot(std::string_view pool, std::string_view volume,
                                                            std::string_view snapshot, std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::get_volume_snapshot(rest, project_in, pool, volume, snapshot);
    std::string project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    return core_->db().read([&](SQLite::Database& db) {
        return to_api(snapshot_or_throw(db, std::string(pool), project, std::string(volume), std::string(snapshot)).snapshot);
    });
}

void StorageVolumeStore::update_snapshot(std::string_view pool_in, std::string_view volume_in, std::string_view snapshot_in,
                                         const api::StorageVolumeSnapshotPut& put, std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::update_volume_snapshot(rest, project_in, pool_in, volume_in, snapshot_in, put);
    std::string pool(pool_in), volume(volume_in), snapshot(snapshot_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    check_rfc3339(put.expires_at, "expires_at");
    auto lock = core_->locks().lock_storage_pool(pool);
    core_->db().transaction([&](SQLite::Database& db) {
        auto target = snapshot_or_throw(db, pool, project, volume, snapshot);
        target.snapshot.description = put.description;
        target.snapshot.expires_at = put.expires_at;
        repo::update_volume_snapshot(db, target.snapshot);
    });
    backup::write_custom_volume_backup_file(*core_, project, pool, volume);
    core_->events().lifecycle(project, "storage-volume-snapshot-updated", snapshot_source(pool, volume, snapshot, project));
}

void StorageVolumeStore::rename_snapshot(std::string_view pool_in, std::string_view volume_in, std::string_view snapshot_in,
                                         std::string_view new_name_in, std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::rename_volume_snapshot(rest, project_in, pool_in, volume_in, snapshot_in, new_name_in);
    std::string pool(pool_in), volume(volume_in), snapshot(snapshot_in), new_name(new_name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    validate_snapshot_name(new_name, "new_name");
    auto lock = core_->locks().lock_storage_pool(pool);
    auto target = core_->db().read([&](SQLite::Database& db) {
        auto t = snapshot_or_throw(db, pool, project, volume, snapshot);
        if (new_name != snapshot && repo::find_volume_snapshot(db, t.volume.id, new_name))
            throw Error(ErrorCode::AlreadyExists,
                        fmt::format("snapshot \"{}\" of storage volume \"{}\" already exists", new_name, volume), "new_name");
        return t;
    });
    if (new_name == snapshot) return;
    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, volume);
    driver.rename_snapshot(ref, snapshot, new_name);
    Reverter revert;
    revert.add([&driver, ref, snapshot, new_name] { driver.rename_snapshot(ref, new_name, snapshot); });
    target.snapshot.name = new_name;
    core_->db().transaction([&](SQLite::Database& db) { repo::update_volume_snapshot(db, target.snapshot); });
    revert.success();
    backup::write_custom_volume_backup_file(*core_, project, pool, volume);
    core_->events().lifecycle(project, "storage-volume-snapshot-renamed", snapshot_source(pool, volume, new_name, project),
                              {{"old_name", snapshot}});
}

void StorageVolumeStore::delete_snapshot(std::string_view pool_in, std::string_view volume_in, std::string_view snapshot_in,
                                         std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::delete_volume_snapshot(rest, project_in, pool_in, volume_in, snapshot_in);
    std::string pool(pool_in), volume(volume_in), snapshot(snapshot_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    auto lock = core_->locks().lock_storage_pool(pool);
    auto target = core_->db().read([&](SQLite::Database& db) { return snapshot_or_throw(db, pool, project, volume, snapshot); });
    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, volume);
    auto on_disk = driver.list_snapshots(ref);
    if (std::find(on_disk.begin(), on_disk.end(), snapshot) != on_disk.end()) {
        try {
            driver.delete_snapshot(ref, snapshot);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("deleting snapshot {} of storage volume {}", snapshot, volume));
        }
    }
    core_->db().transaction([&](SQLite::Database& db) { repo::delete_volume_snapshot(db, target.snapshot.id); });
    log::info("storage volume snapshot deleted", {{"pool", pool}, {"volume", volume}, {"snapshot", snapshot}});
    backup::write_custom_volume_backup_file(*core_, project, pool, volume);
    core_->events().lifecycle(project, "storage-volume-snapshot-deleted", snapshot_source(pool, volume, snapshot, project));
}

void StorageVolumeStore::restore_snapshot(std::string_view pool_in, std::string_view volume_in, std::string_view snapshot_in,
                                          std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::restore_volume_snapshot(rest, project_in, pool_in, volume_in, snapshot_in);
    std::string pool(pool_in), volume(volume_in), snapshot(snapshot_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    auto lock = core_->locks().lock_storage_pool(pool);
    core_->db().read([&](SQLite::Database& db) { return snapshot_or_throw(db, pool, project, volume, snapshot); });
    auto running = running_users(*core_, pool, project, volume);
    if (!running.empty())
        throw Error(ErrorCode::Busy,
                    fmt::format("storage volume \"{}\" is attached to running instances ({}); stop them to restore it", volume,
                                fmt::join(running, ", ")),
                    "name");
    StorageDriver& driver = core_->pool(pool);
    OperationContext ctx;
    try {
        driver.restore_snapshot(custom_volume_ref(project, volume), snapshot, ctx);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("restoring storage volume {} from snapshot {}", volume, snapshot));
    }
    log::info("storage volume restored", {{"pool", pool}, {"volume", volume}, {"snapshot", snapshot}});
    backup::write_custom_volume_backup_file(*core_, project, pool, volume);
    core_->events().lifecycle(project, "storage-volume-restored", volume_source(pool, volume, project), {{"snapshot", snapshot}});
}

}  // namespace li
