#pragma once
// li::StorageVolumeStore: the volumes of the storage pools (LXD's /1.0/storage-pools/<pool>/volumes).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/backup.hpp"
#include "libinstance/api/storage_volume.hpp"
#include "libinstance/operation.hpp"

namespace li {

class ManagerCore;

/// Volumes on the storage pools of one Manager, scoped by project like LXD's. Custom volumes are
/// made and changed here; instance ("container") and image volumes are listed and shown, and
/// follow their instance or image.
///
/// Custom volume config keys (validated; InvalidArgument naming "config.<key>" and quoting the
/// value): `size` (LXD size string; a quota where the driver can enforce one, NotSupported naming
/// "config.size" where it cannot), `security.shifted` (bool: attached through an idmapped mount so
/// every container sees host root's files as its root's), `security.unmapped` (bool), `user.*`.
/// Names: as LXD's (letters, digits, '-', '_', '.'; no '/'), InvalidArgument (key "name").
/// Lifecycle events: storage-volume-created, -updated, -renamed, -deleted, -restored,
/// storage-volume-snapshot-created, -updated, -renamed, -deleted.
class StorageVolumeStore {
public:
    explicit StorageVolumeStore(std::shared_ptr<ManagerCore> core);

    /// Creates an empty custom volume (content_type "filesystem", or "block": a disk image only a VM
    /// takes), or (post.source.type "copy") a copy of another custom volume, on this pool or another
    /// one, with its snapshots unless source.volume_only. The copy keeps the source's config unless
    /// post.config sets keys. NotFound (key "pool") for an unknown pool, (key "source.name"/
    /// "source.pool") for an unknown source; AlreadyExists (key "name"); InvalidArgument (key "type" /
    /// "content_type" / "source.type") for anything but custom filesystem or block volumes and
    /// copies. Nothing is left behind on failure (nor is the source changed). Emits
    /// storage-volume-created.
    api::StorageVolume create(std::string_view pool, const api::StorageVolumesPost& post, std::string_view project = "default");
    /// create() as an operation: "Copying storage volume" for a copy (progress "fs_progress",
    /// cancellable: a cancelled copy leaves no target), else "Creating storage volume". Resource
    /// storage_volumes: the new volume; metadata "name" once it succeeds. What the request alone
    /// shows wrong (name, type, content_type) is thrown at once.
    Operation create_async(std::string_view pool, const api::StorageVolumesPost& post, std::string_view project = "default");
    /// Every volume of the pool in the project: custom, container and image volumes.
    std::vector<api::StorageVolume> list(std::string_view pool, std::string_view project = "default");
    /// One volume; type is "custom", "container" or "image". NotFound (key "name").
    api::StorageVolume get(std::string_view pool, std::string_view type, std::string_view name,
                           std::string_view project = "default");
    /// Replaces a custom volume's description and config (LXD's PUT); a new `size` is applied at
    /// once. Nothing changes on failure.
    void update(std::string_view pool, std::string_view name, const api::StorageVolumePut& put,
                std::string_view project = "default");
    /// Renames a custom volume. Busy (key "name") while instances or profiles use it, naming them;
    /// AlreadyExists (key "new_name").
    void rename(std::string_view pool, std::string_view name, std::string_view new_name,
                std::string_view project = "default");
    /// Deletes a custom volume. Busy (key "name") while instances or profiles use it, naming them.
    void remove(std::string_view pool, std::string_view name, std::string_view project = "default");
    /// LXD's POST on a volume: renames it (post.pool empty or the same) or moves it, with its
    /// snapshots, to post.pool under post.name (or its own name). Busy (key "name") while instances
    /// or profiles use it; NotFound (key "pool") for an unknown target pool; AlreadyExists (key
    /// "name") when the target exists. A failed move leaves the source as it was and no target.
    /// Emits storage-volume-renamed, or storage-volume-created on the target and -deleted on the source.
    void move(std::string_view pool, std::string_view name, const api::StorageVolumePost& post,
              std::string_view project = "default");
    /// move() as an operation ("Moving storage volume"; progress "fs_progress"; cancellable until
    /// the target is recorded: a cancelled move leaves the source as it was and no target).
    /// Metadata "name" (the volume's name on the target) and "pool" once it succeeds.
    Operation move_async(std::string_view pool, std::string_view name, const api::StorageVolumePost& post,
                         std::string_view project = "default");

    // --- Snapshots of custom volumes (LXD's .../volumes/custom/<volume>/snapshots) ---------------
    // Snapshot names follow volume names; NotFound (key "snapshot") for an unknown one.

    /// Takes a read-only point-in-time snapshot (copy-on-write on btrfs, a copy on dir). An empty
    /// name picks the next free "snapN". AlreadyExists (key "name"); InvalidArgument naming
    /// "name" or "expires_at". Emits storage-volume-snapshot-created.
    api::StorageVolumeSnapshot create_snapshot(std::string_view pool, std::string_view volume,
                                               const api::StorageVolumeSnapshotsPost& post,
                                               std::string_view project = "default");
    /// The volume's snapshots, oldest first.
    std::vector<api::StorageVolumeSnapshot> list_snapshots(std::string_view pool, std::string_view volume,
                                                           std::string_view project = "default");
    api::StorageVolumeSnapshot get_snapshot(std::string_view pool, std::string_view volume, std::string_view snapshot,
                                            std::string_view project = "default");
    /// Replaces a snapshot's description and expiry. Emits storage-volume-snapshot-updated.
    void update_snapshot(std::string_view pool, std::string_view volume, std::string_view snapshot,
                         const api::StorageVolumeSnapshotPut& put, std::string_view project = "default");
    /// AlreadyExists (key "new_name"). Emits storage-volume-snapshot-renamed.
    void rename_snapshot(std::string_view pool, std::string_view volume, std::string_view snapshot,
                         std::string_view new_name, std::string_view project = "default");
    /// Emits storage-volume-snapshot-deleted.
    void delete_snapshot(std::string_view pool, std::string_view volume, std::string_view snapshot,
                         std::string_view project = "default");
    /// Makes the volume's content the snapshot's again (the snapshot stays). Busy (key "name")
    /// while a running instance has the volume attached. Emits storage-volume-restored.
    void restore_snapshot(std::string_view pool, std::string_view volume, std::string_view snapshot,
                          std::string_view project = "default");

    // --- Backups of custom volumes (`lxc storage volume export|import`) ------------------------
    /// Writes the custom volume (with its snapshots unless opts.instance_only, LXD's volume_only)
    /// to one backup file at target, streamed; layout in backup.hpp. InvalidArgument (key
    /// "compression_algorithm"); NotSupported (key "optimized_storage") off btrfs.
    void export_backup(std::string_view pool, std::string_view volume, const std::filesystem::path& target,
                       const BackupExportOptions& opts = {}, std::string_view project = "default");
    /// export_backup() as an operation ("Creating custom volume backup"; progress
    /// "create_backup_progress"; cancellable: a cancelled export leaves no file at target). An
    /// unknown pool or volume, a bad target or option is thrown at once.
    Operation export_backup_async(std::string_view pool, std::string_view volume, const std::filesystem::path& target,
                                  const BackupExportOptions& opts = {}, std::string_view project = "default");
    /// Creates a custom volume on pool from a backup file (opts.pool is ignored; opts.name ""
    /// keeps the backup's name), with its snapshots. Hostile archives are refused with
    /// InvalidArgument naming the entry; AlreadyExists (key "name"). Nothing is left behind on
    /// failure. Emits storage-volume-created.
    api::StorageVolume import_backup(std::string_view pool, const std::filesystem::path& file,
                                     const BackupImportOptions& opts = {}, std::string_view project = "default");
    /// import_backup() as an operation ("Restoring custom volume backup"; progress
    /// "create_volume_from_backup_progress"; cancellable: a cancelled import leaves no volume).
    /// Metadata "name": the new volume's, once it succeeds.
    Operation import_backup_async(std::string_view pool, const std::filesystem::path& file,
                                  const BackupImportOptions& opts = {}, std::string_view project = "default");

private:
    // The sync and async forms share these: async runs the work on its own thread.
    Operation create_copy_impl(const std::string& pool, const api::StorageVolumesPost& post, const std::string& project,
                               bool async);
    Operation move_impl(std::string_view pool, std::string_view name, const api::StorageVolumePost& post,
                        std::string_view project, bool async);
    Operation export_backup_impl(std::string_view pool, std::string_view volume, const std::filesystem::path& target,
                                 const BackupExportOptions& opts, std::string_view project, bool async);
    Operation import_backup_impl(std::string_view pool, const std::filesystem::path& file, const BackupImportOptions& opts,
                                 std::string_view project, bool async);

    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
