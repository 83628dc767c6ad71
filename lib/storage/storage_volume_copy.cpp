// StorageVolumeStore: copies of custom volumes (LXD's POST .../volumes/custom with source type
// "copy") and moves between pools (POST on a volume with another pool). The target's files are
// made first, then its rows in one transaction (for a move, with the source's removal), then a
// moved source's files go: a failure before the transaction leaves the target nowhere.
#include "client/rest_objects.hpp"
#include <mutex>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "backup/backup_config.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"
#include "storage/custom_volume.hpp"
#include "storage/volume_store_support.hpp"
#include "storage/volume_transfer.hpp"
#include "store/volume_snapshot_repo.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

using namespace volume_store;

namespace {

// Locks two pools in name order (one when they are the same), so opposite copies cannot deadlock.
std::pair<std::unique_lock<std::mutex>, std::unique_lock<std::mutex>> lock_pools(ManagerCore& core, const std::string& a,
                                                                                 const std::string& b) {
    if (a == b) return {core.locks().lock_storage_pool(a), std::unique_lock<std::mutex>()};
    const std::string& first = std::min(a, b);
    const std::string& second = std::max(a, b);
    auto held = core.locks().lock_storage_pool(first);
    return {std::move(held), core.locks().lock_storage_pool(second)};
}

struct CopySource {
    VolumeRecord volume;
    std::vector<VolumeSnapshotRecord> snapshots;  ///< the ones copied along, oldest first
};

std::vector<std::string> names_of(const std::vector<VolumeSnapshotRecord>& snapshots) {
    std::vector<std::string> names;
    for (const auto& s : snapshots) names.push_back(s.name);
    return names;
}

// LXD's key for a volume transfer's progress; the label says which kind.
constexpr const char* kProgressKey = "fs_progress";

// Copies the source's files (with `source.snapshots`) to `to_pool` as `target` and records it
// there; `also` runs in the same transaction (a move deletes the source's rows in it). Progress
// is by passes (each snapshot, then the volume); cancellation is honoured until the transaction.
VolumeRecord transfer(ManagerCore& core, const std::string& from_pool, const CopySource& source, const std::string& to_pool,
                      VolumeRecord target, uint64_t size, const std::function<void(SQLite::Database&)>& also,
                      const std::string& label, OperationContext& ctx) {
    StorageDriver& from_driver = core.pool(from_pool);
    StorageDriver& to_driver = core.pool(to_pool);
    VolumeRef from = custom_volume_ref(source.volume.project, source.volume.name);
    VolumeRef to = custom_volume_ref(target.project, target.name);
    check_no_stray_files(to_driver, to, to_pool);
    ctx.progress(kProgressKey, label, 0);
    const size_t passes = source.snapshots.size() + 1;
    try {
        copy_volume_with_snapshots(from_driver, to_driver, from, to, names_of(source.snapshots), VolumeFiles::All, ctx,
                                   [&](size_t done) {
                                       ctx.progress(kProgressKey, label, static_cast<int>(std::min<size_t>(99, 100 * done / passes)));
                                   });
    } catch (const Error& e) {
        throw e.with_context(fmt::format("copying storage volume {} to pool {}", source.volume.name, to_pool));
    }
    Reverter revert;
    revert.add([&to_driver, to] { to_driver.delete_volume(to); });
    // A block volume's size is its root.img, copied as it is; a filesystem volume's a pool quota.
    if (size > 0 && target.content_type != "block") apply_size(to_driver, to, size);
    ctx.check_cancelled();  // the last point where a cancel still leaves nothing behind
    core.db().transaction([&](SQLite::Database& db) {
        if (target.type == "custom") project_policy::check_custom_volume(db, target.project, target.name, target.config);
        target.id = repo::insert_volume(db, target);
        for (VolumeSnapshotRecord s : source.snapshots) {
            s.volume_id = target.id;
            repo::insert_volume_snapshot(db, s);
        }
        also(db);
    });
    revert.success();
    ctx.progress(kProgressKey, label, 100);
    return target;
}

void move_between_pools(ManagerCore& core, const std::string& pool, const std::string& name, const std::string& project,
                        const std::string& target_pool, const std::string& target_name, OperationContext& ctx);

}  // namespace

namespace volume_store {

void copy_custom_volume(ManagerCore& core, const std::string& pool, const api::StorageVolumesPost& post,
                        const std::string& project, OperationContext& ctx) {
    const auto& src = post.source;
    if (src.name.empty()) throw Error::invalid("source.name", "a storage volume copy needs the source volume's name");
    std::string source_pool = src.pool.empty() ? pool : src.pool;
    std::string source_project = src.project.empty() ? project : src.project;
    if (source_pool == pool && source_project == project && src.name == post.name)
        throw Error::invalid("name", fmt::format("storage volume \"{}\" cannot be copied onto itself", post.name));

    auto locks = lock_pools(core, source_pool, pool);
    CopySource source;
    VolumeRecord target;
    core.db().read([&](SQLite::Database& db) {
        PoolRecord from = pool_or_throw(db, source_pool, "source.pool");
        PoolRecord to = pool_or_throw(db, pool);
        source.volume = volume_or_throw(db, from, source_project, src.name, "source.name");
        if (!src.volume_only) source.snapshots = repo::list_volume_snapshots(db, source.volume.id);
        check_volume_free(db, to, project, post.name, "name");
        target.pool_id = to.id;
        return 0;
    });
    target.project = project;
    target.name = post.name;
    target.description = post.description.empty() ? source.volume.description : post.description;
    target.content_type = source.volume.content_type;
    target.config = source.volume.config;
    for (const auto& [k, v] : post.config) target.config[k] = v;
    target.created_at = now_rfc3339();
    uint64_t size = validate_config(target.config);

    target = transfer(core, source_pool, source, pool, std::move(target), size, [](SQLite::Database&) {}, "Copy", ctx);
    log::info("storage volume copied", {{"pool", pool}, {"volume", post.name}, {"source_pool", source_pool}, {"source", src.name}});
    backup::write_custom_volume_backup_file(core, project, pool, post.name);
    core.events().lifecycle(project, "storage-volume-created", volume_source(pool, post.name, project), {{"type", "custom"}});
}

}  // namespace volume_store

void StorageVolumeStore::move(std::string_view pool, std::string_view name, const api::StorageVolumePost& post,
                              std::string_view project) {
    if (auto rest = core_->rest()) return rest::move_volume(rest, project, pool, name, post).get();
    move_impl(pool, name, post, project, false).get();
}

Operation StorageVolumeStore::move_async(std::string_view pool, std::string_view name, const api::StorageVolumePost& post,
                                         std::string_view project) {
    if (auto rest = core_->rest()) return rest::move_volume(rest, project, pool, name, post);
    return move_impl(pool, name, post, project, true);
}

Operation StorageVolumeStore::move_impl(std::string_view pool_in, std::string_view name_in, const api::StorageVolumePost& post,
                                        std::string_view project_in, bool async) {
    std::string pool(pool_in), name(name_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    std::string target_pool = post.pool.empty() ? pool : post.pool;
    std::string target_name = post.name.empty() ? name : post.name;
    if (target_pool != pool) validate_name(target_name, "name");
    auto core = core_;
    OperationSpec spec{"Moving storage volume", project, {{"storage_volumes", {volume_source(pool, name, project)}}}, true};
    return core_->operations().run(spec, [core, pool, name, project, target_pool, target_name](OperationContext& ctx) {
        if (target_pool == pool) {
            StorageVolumeStore store(core);
            if (target_name == name) {  // nothing to do, but only for a volume that exists
                core->db().read([&](SQLite::Database& db) { return volume_or_throw(db, pool_or_throw(db, pool), project, name); });
            } else {
                try {
                    store.rename(pool, name, target_name, project);
                } catch (const Error& e) {
                    // The POST body's field is "name", whatever rename() calls it.
                    if (e.key() == "new_name") throw Error(e.code(), e.what(), "name", e.sys_errno());
                    throw;
                }
            }
        } else {
            move_between_pools(*core, pool, name, project, target_pool, target_name, ctx);
        }
        ctx.set_metadata("name", target_name);
        ctx.set_metadata("pool", target_pool);
    }, async, core_);
}

namespace {

void move_between_pools(ManagerCore& core, const std::string& pool, const std::string& name, const std::string& project,
                        const std::string& target_pool, const std::string& target_name, OperationContext& ctx) {
    auto locks = lock_pools(core, pool, target_pool);
    CopySource source;
    VolumeRecord target;
    core.db().read([&](SQLite::Database& db) {
        PoolRecord from = pool_or_throw(db, pool);
        PoolRecord to = pool_or_throw(db, target_pool);
        source.volume = volume_or_throw(db, from, project, name);
        check_unused(db, pool, project, name);
        source.snapshots = repo::list_volume_snapshots(db, source.volume.id);
        check_volume_free(db, to, project, target_name, "name");
        target = source.volume;
        target.pool_id = to.id;
        target.name = target_name;
        return 0;
    });
    uint64_t size = validate_config(target.config);
    transfer(core, pool, source, target_pool, target, size,
             [&](SQLite::Database& db) { repo::delete_volume(db, source.volume.id); }, "Move", ctx);

    // The rows now say the volume is on the target: the source's files are only left-overs.
    StorageDriver& from_driver = core.pool(pool);
    VolumeRef from = custom_volume_ref(project, name);
    try {
        from_driver.delete_volume(from);
    } catch (const Error& e) {
        log::warn("moved storage volume's old files could not be removed",
                  {{"pool", pool}, {"volume", name}, {"error", e.what()}});
    }
    log::info("storage volume moved", {{"pool", target_pool}, {"volume", target_name}, {"source_pool", pool}, {"project", project}});
    backup::write_custom_volume_backup_file(core, project, target_pool, target_name);
    core.events().lifecycle(project, "storage-volume-created", volume_source(target_pool, target_name, project),
                            {{"type", "custom"}});
    backup::remove_custom_volume_backup_file(core, project, pool, name);
    core.events().lifecycle(project, "storage-volume-deleted", volume_source(pool, name, project));
}

}  // namespace

}  // namespace li
