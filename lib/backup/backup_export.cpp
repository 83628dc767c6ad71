// Instance::export_backup and StorageVolumeStore::export_backup: LXD's backup layout written
// through libarchive to <target>.partial, renamed into place once complete.
#include <sys/stat.h>

#include <optional>

#include <fmt/format.h>

#include "backup/backup_archive.hpp"
#include "backup/backup_config.hpp"
#include "backup/backup_index.hpp"
#include "backup/backup_stream.hpp"
#include "client/rest_images_files.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "image/tar_pack.hpp"
#include "instance/drivers/lxc/lxc_idmap.hpp"
#include "instance/instance_loader.hpp"
#include "instance/instance_snapshots.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/storage_volume.hpp"
#include "storage/custom_volume.hpp"
#include "storage/volume_store_support.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// What one backup holds, whatever it is a backup of.
struct ExportPlan {
    backup::Index index;
    StorageDriver* pool = nullptr;
    VolumeRef vol;
    std::string part;            // "backup/container" or "backup/volume"
    std::string snapshots_part;  // "backup/snapshots" or "backup/volume-snapshots"
    bool instance_files = true;  // dot entries at the volume's top are the driver's own
    bool volume_mounted = false; // in use (a running instance): left mounted as it is
    std::string backup_yaml;     // written as <part>/backup.yaml when not empty
    std::optional<IdMap> shifted_by;  // the idmap a running instance's view of its files has
};

void check_target(const fs::path& target) {
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    if (target.empty() || !fs::is_directory(parent, ec))
        throw Error(ErrorCode::NotFound, fmt::format("backup target directory {} not found", parent.string()), "target");
    if (fs::is_directory(target, ec))
        throw Error::invalid("target", fmt::format("backup target {} is a directory", target.string()));
}

void check_optimized(const BackupExportOptions& opts, StorageDriver& pool, const std::string& pool_name) {
    if (opts.optimized_storage && pool.info().name != "btrfs")
        throw Error(ErrorCode::NotSupported,
                    fmt::format("optimized backups need a btrfs pool (\"{}\" is {})", pool_name, pool.info().name),
                    "optimized_storage");
}

// The file data below a volume, counted per top-level entry as the archive walks it (a dir
// pool's rootfs is an overlay mount of its own).
uint64_t volume_data_bytes(const fs::path& dir) {
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) total += tree_data_bytes(e.path());
    return total;
}

void write_backup(const ExportPlan& plan, const fs::path& target, const BackupExportOptions& opts, OperationContext& ctx) {
    StorageDriver& pool = *plan.pool;
    fs::path partial = target.string() + ".partial";
    Reverter revert;
    revert.add([partial] { std::error_code ec; fs::remove(partial, ec); });

    // The total is what the trees hold; the percentage is of file data written so far.
    uint64_t total = 1;
    if (!plan.index.optimized) {
        for (const auto& s : plan.index.snapshots) {
            total += volume_data_bytes(pool.mount_snapshot(plan.vol, s));
            pool.unmount_snapshot(plan.vol, s);
        }
        total += volume_data_bytes(plan.volume_mounted ? pool.volume_path(plan.vol) : pool.mount_volume(plan.vol));
        if (!plan.volume_mounted) pool.unmount_volume(plan.vol);
    }
    ctx.progress("create_backup_progress", "Backup", 0);
    backup::ArchiveWriter out(partial, opts.compression_algorithm, [&](uint64_t done) {
        ctx.check_cancelled();
        ctx.progress("create_backup_progress", "Backup",
                     static_cast<int>(std::min<uint64_t>(99, 100 * done / total)));
    });
    out.add_file("backup/index.yaml", backup::index_to_yaml(plan.index));
    out.add_dir("backup");
    if (plan.index.optimized) {
        backup::btrfs_send_volume(pool, plan.vol, plan.index.snapshots, plan.part, plan.snapshots_part, out,
                                  target.string() + ".stream", ctx);
    } else {
        if (!plan.index.snapshots.empty()) out.add_dir(plan.snapshots_part);
        for (const auto& s : plan.index.snapshots) {
            fs::path dir = pool.mount_snapshot(plan.vol, s);
            Reverter unmount;
            unmount.add([&pool, &plan, s] { pool.unmount_snapshot(plan.vol, s); });
            out.add_tree(dir, plan.snapshots_part + "/" + s, plan.instance_files);
        }
        fs::path dir = plan.volume_mounted ? pool.volume_path(plan.vol) : pool.mount_volume(plan.vol);
        Reverter unmount;
        if (!plan.volume_mounted) unmount.add([&pool, &plan] { pool.unmount_volume(plan.vol); });
        // backup.yaml is written fresh below, never taken from the volume (it may be stale).
        // A running instance's files may be seen through its idmapped view (host ids): the backup
        // keeps the container's own, as the volume does at rest.
        const IdMap* shifted = nullptr;
        struct stat st {};
        if (plan.shifted_by && ::stat((dir / "rootfs").c_str(), &st) == 0 && st.st_uid != 0 &&
            st.st_uid == root_host_uid(*plan.shifted_by))
            shifted = &*plan.shifted_by;
        out.add_tree(dir, plan.part, plan.instance_files,
                     plan.backup_yaml.empty() ? std::vector<std::string>{} : std::vector<std::string>{"backup.yaml"}, shifted);
    }
    if (!plan.backup_yaml.empty()) out.add_file(plan.part + "/backup.yaml", plan.backup_yaml);
    ctx.check_cancelled();
    out.close();
    fs::rename(partial, target);
    revert.success();
    ctx.progress("create_backup_progress", "Backup", 100);
}

}  // namespace

void Instance::export_backup(const fs::path& target, const BackupExportOptions& opts) {
    if (auto rest = core_->rest()) return rest::export_backup(rest, project_, name_, target, opts).get();
    export_backup_async(target, opts).get();
}

Operation Instance::export_backup_async(const fs::path& target, const BackupExportOptions& opts) {
    if (auto rest = core_->rest()) return rest::export_backup(rest, project_, name_, target, opts);
    backup::validate_compression_algorithm(opts.compression_algorithm);
    check_target(target);
    fs::path absolute_target = fs::absolute(target);
    return locked_op(
        "Backing up instance", true,
        [absolute_target, opts](ManagerCore& core, InstanceContext& ctx, OperationContext& op) {
            const InstanceRecord& record = ctx.loaded.record;
            core.db().read([&](SQLite::Database& db) { project_policy::check_backups_allowed(db, record.project); });
            StorageDriver& pool = core.pool(ctx.spec.pool);
            check_optimized(opts, pool, ctx.spec.pool);
            ExportPlan plan;
            backup::Config config = backup::instance_config(core, record.project, record.name);
            if (opts.instance_only) config.snapshots.clear(), config.volume_snapshots.clear();
            plan.index.name = record.name;
            plan.index.backend = pool.info().name;
            plan.index.pool = ctx.spec.pool;
            for (const auto& s : config.snapshots) plan.index.snapshots.push_back(s.name);
            plan.index.optimized = opts.optimized_storage;
            plan.index.type = record.type;
            plan.backup_yaml = backup::to_yaml(config);
            plan.index.config = std::move(config);
            plan.pool = &pool;
            plan.vol = instance_volume(record);
            plan.part = "backup/container";
            plan.snapshots_part = "backup/snapshots";
            plan.volume_mounted = is_running(core, ctx.loaded);
            if (plan.volume_mounted) plan.shifted_by = container_idmap(core, ctx.loaded.expanded.config);
            try {
                write_backup(plan, absolute_target, opts, op);
            } catch (const Error& e) {
                throw e.with_context(fmt::format("backing up {}", record.name));
            }
            log::info("instance backed up", {{"instance", record.name}, {"project", record.project},
                                             {"target", absolute_target.string()}});
        },
        true);
}

void StorageVolumeStore::export_backup(std::string_view pool, std::string_view volume, const fs::path& target,
                                       const BackupExportOptions& opts, std::string_view project) {
    if (auto rest = core_->rest()) return rest::export_volume_backup(rest, project, pool, volume, target, opts).get();
    export_backup_impl(pool, volume, target, opts, project, false).get();
}

Operation StorageVolumeStore::export_backup_async(std::string_view pool, std::string_view volume, const fs::path& target,
                                                  const BackupExportOptions& opts, std::string_view project) {
    if (auto rest = core_->rest()) return rest::export_volume_backup(rest, project, pool, volume, target, opts);
    return export_backup_impl(pool, volume, target, opts, project, true);
}

Operation StorageVolumeStore::export_backup_impl(std::string_view pool_in, std::string_view volume_in, const fs::path& target,
                                                 const BackupExportOptions& opts, std::string_view project_in, bool async) {
    std::string pool_name(pool_in), volume(volume_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    backup::validate_compression_algorithm(opts.compression_algorithm);
    check_target(target);
    core_->db().read([&](SQLite::Database& db) {
        project_policy::check_backups_allowed(db, std::string(project_in));  // the caller's project restricts
        PoolRecord p = volume_store::pool_or_throw(db, pool_name);
        return volume_store::volume_or_throw(db, p, project, volume);
    });
    check_optimized(opts, core_->pool(pool_name), pool_name);
    fs::path absolute_target = fs::absolute(target);
    auto core = core_;
    OperationSpec spec{"Creating custom volume backup", project,
                       {{"storage_volumes", {volume_store::volume_source(pool_name, volume, project)}}}, true};
    return core_->operations().run(spec, [core, pool_name, volume, project, absolute_target, opts](OperationContext& ctx) {
        StorageDriver& pool = core->pool(pool_name);
        auto lock = core->locks().lock_storage_pool(pool_name);
        // Looked up again under the pool's lock: the volume may have gone meanwhile.
        core->db().read([&](SQLite::Database& db) {
            PoolRecord p = volume_store::pool_or_throw(db, pool_name);
            return volume_store::volume_or_throw(db, p, project, volume);
        });
        ExportPlan plan;
        backup::Config config = backup::custom_volume_config(*core, project, pool_name, volume);
        if (opts.instance_only) config.volume_snapshots.clear();
        plan.index.name = volume;
        plan.index.backend = pool.info().name;
        plan.index.pool = pool_name;
        for (const auto& s : config.volume_snapshots) plan.index.snapshots.push_back(s.name);
        plan.index.optimized = opts.optimized_storage;
        plan.index.type = "custom";
        plan.index.config = std::move(config);
        plan.pool = &pool;
        plan.vol = custom_volume_ref(project, volume);
        plan.part = "backup/volume";
        plan.snapshots_part = "backup/volume-snapshots";
        plan.instance_files = false;
        // A custom volume is a plain tree, mounted or not, and stays as it is.
        plan.volume_mounted = true;
        try {
            write_backup(plan, absolute_target, opts, ctx);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("backing up storage volume {}", volume));
        }
        log::info("storage volume backed up", {{"pool", pool_name}, {"volume", volume}, {"project", project},
                                               {"target", absolute_target.string()}});
    }, async, core_);
}

}  // namespace li
