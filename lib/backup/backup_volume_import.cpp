// StorageVolumeStore::import_backup (`lxc storage volume import`): a custom volume and its
// snapshots from a backup, then their rows in one transaction. Nothing is left on failure.
#include <fmt/format.h>

#include "backup/backup_restore.hpp"
#include "client/rest_images_files.hpp"
#include "client/rest_objects.hpp"
#include "core/clock.hpp"
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
#include "store/volume_snapshot_repo.hpp"
#include "project/project_scope.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// The import itself, inside its operation; returns the new volume's name.
std::string import_volume(ManagerCore& core, const std::string& pool_name, const std::string& project, const fs::path& file,
                          const BackupImportOptions& opts, OperationContext& ctx) {
    backup::Index index = backup::read_checked_index(core, file, backup::PartKind::Volume);
    ctx.check_cancelled();
    if (index.type != "custom")
        throw Error::invalid("type", fmt::format("backup {} holds a {}, not a custom volume", file.string(), index.type));
    std::string name = opts.name.empty() ? index.name : opts.name;
    volume_store::validate_name(name, "name");

    VolumeRecord record;
    record.project = project;
    record.name = name;
    record.created_at = now_rfc3339();
    if (index.config && index.config->volume) {
        const api::StorageVolume& source = *index.config->volume;
        record.description = source.description;
        record.config = source.config;
        if (!source.content_type.empty() && source.content_type != "filesystem" && source.content_type != "block")
            throw Error(ErrorCode::NotSupported,
                        fmt::format("backup {} holds a volume of content type \"{}\" (filesystem or block)", file.string(),
                                    source.content_type),
                        "content_type");
        if (!source.content_type.empty()) record.content_type = source.content_type;
        if (!source.created_at.empty() && !source.created_at.starts_with("0001-")) record.created_at = source.created_at;  // Go's zero time: unknown
    }
    // Keys of the pool it came from (LXD's block.*, volatile.*...) stay behind; the volume's own
    // (size, security.*, user.*) come along and are checked as any new volume's.
    for (auto it = record.config.begin(); it != record.config.end();)
        it = it->first == "size" || it->first.starts_with("security.") || it->first.starts_with("user.") ? std::next(it)
                                                                                                     : record.config.erase(it);
    uint64_t size = volume_store::validate_config(record.config);

    std::vector<VolumeSnapshotRecord> snapshots;
    for (const auto& s : index.snapshots) {
        volume_store::validate_name(s, "snapshots");
        VolumeSnapshotRecord r;
        r.name = s;
        r.config = record.config;
        r.created_at = now_rfc3339();
        if (index.config)
            for (const auto& c : index.config->volume_snapshots) {
                std::string own = c.name.substr(c.name.find('/') == std::string::npos ? 0 : c.name.find('/') + 1);
                if (own != s) continue;
                r.description = c.description;
                if (!c.created_at.empty() && !c.created_at.starts_with("0001-")) r.created_at = c.created_at;
                r.expires_at = c.expires_at;
            }
        snapshots.push_back(std::move(r));
    }

    auto lock = core.locks().lock_storage_pool(pool_name);
    core.db().read([&](SQLite::Database& db) {
        PoolRecord p = volume_store::pool_or_throw(db, pool_name);
        record.pool_id = p.id;
        volume_store::check_volume_free(db, p, project, name, "name");
        return 0;
    });
    StorageDriver& driver = core.pool(pool_name);
    VolumeRef ref = custom_volume_ref(project, name);
    volume_store::check_no_stray_files(driver, ref, pool_name);

    Reverter revert;
    try {
        backup::restore_volume(core, driver, ref, index, file, "backup/volume", "backup/volume-snapshots",
                               backup::PartKind::Volume, "create_volume_from_backup_progress", {}, ctx);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("importing storage volume {} from {}", name, file.string()));
    }
    revert.add([&driver, ref] { driver.delete_volume(ref); });
    if (record.content_type == "block") {
        // Ours keep the disk as the folder's root.img; LXD's block backups (backup/volume.img) do not.
        fs::path dir = driver.mount_volume(ref);
        bool has_disk = fs::is_regular_file(fs::symlink_status(dir / "root.img"));
        driver.unmount_volume(ref);
        if (!has_disk)
            throw Error(ErrorCode::NotSupported,
                        fmt::format("backup {} holds a block volume without root.img (an LXD block volume backup)", file.string()),
                        "content_type");
    } else if (size > 0) {
        volume_store::apply_size(driver, ref, size);
    }
    ctx.check_cancelled();  // the last point where a cancel still leaves nothing behind
    core.db().transaction([&](SQLite::Database& db) {
        record.id = repo::insert_volume(db, record);
        for (auto& s : snapshots) {
            s.volume_id = record.id;
            s.id = repo::insert_volume_snapshot(db, s);
        }
    });
    revert.success();
    log::info("storage volume imported from a backup", {{"pool", pool_name}, {"volume", name}, {"project", project}});
    core.events().lifecycle(project, "storage-volume-created", volume_store::volume_source(pool_name, name, project),
                            {{"type", "custom"}});
    return name;
}

}  // namespace

api::StorageVolume StorageVolumeStore::import_backup(std::string_view pool, const fs::path& file, const BackupImportOptions& opts,
                                                     std::string_view project) {
    if (auto rest = core_->rest()) {
        Operation op = rest::import_volume_backup(rest, project, pool, file, opts);
        op.get();
        return rest::get_volume(rest, project, pool, "custom", op.info().metadata.at("name"));
    }
    Operation op = import_backup_impl(pool, file, opts, project, false);
    op.get();
    return get(pool, "custom", op.info().metadata.at("name"), project);
}

Operation StorageVolumeStore::import_backup_async(std::string_view pool, const fs::path& file, const BackupImportOptions& opts,
                                                  std::string_view project) {
    if (auto rest = core_->rest()) return rest::import_volume_backup(rest, project, pool, file, opts);
    return import_backup_impl(pool, file, opts, project, true);
}

Operation StorageVolumeStore::import_backup_impl(std::string_view pool_in, const fs::path& file_in,
                                                 const BackupImportOptions& opts, std::string_view project_in, bool async) {
    std::string pool_name(pool_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    fs::path file = fs::absolute(file_in);
    if (!opts.name.empty()) volume_store::validate_name(opts.name, "name");
    auto core = core_;
    // The volume's name is the backup's unless given: only then is it known before the work.
    std::vector<std::string> volumes;
    if (!opts.name.empty()) volumes.push_back(volume_store::volume_source(pool_name, opts.name, project));
    OperationSpec spec{"Restoring custom volume backup", project, {{"storage_volumes", volumes}}, true};
    return core_->operations().run(spec, [core, pool_name, project, file, opts](OperationContext& ctx) {
        ctx.set_metadata("name", import_volume(*core, pool_name, project, file, opts, ctx));
    }, async, core_);
}

}  // namespace li
