#pragma once
// Options of instance and custom volume backups (`lxc export` / `lxc import`, LXD's
// /1.0/instances/<name>/backups and /1.0/storage-pools/<pool>/volumes/custom/<name>/backups).
//
// A backup is one file. Portable backups are LXD's layout: a tarball holding backup/index.yaml
// (name, backend, pool, optimized, type, snapshots and the config: instance, snapshots, pool,
// volume), backup/container/ (the instance's rootfs, metadata.yaml, templates, backup.yaml) and
// backup/snapshots/<snapshot>/; for custom volumes backup/volume/ and backup/volume-snapshots/.
// Optimized backups (btrfs pools only) hold btrfs send streams instead: backup/container.bin and
// backup/snapshots/<snapshot>.bin (backup/volume.bin, backup/volume-snapshots/<snapshot>.bin).

#include <string>

namespace li {

/// How a backup is written (LXD's InstanceBackupsPost / StoragePoolVolumeBackupsPost fields and
/// `lxc export` flags).
struct BackupExportOptions {
    bool instance_only = false;      ///< leave the snapshots out (`--instance-only`; volume_only for volumes)
    bool optimized_storage = false;  ///< the pool driver's own stream (btrfs send); NotSupported
                                     ///< (key "optimized_storage") on other drivers
    std::string compression_algorithm = "gzip";  ///< gzip, xz, zstd, bzip2 or none
};

/// How a backup is read back (LXD's X-LXD-name / X-LXD-pool import headers, `lxc import --storage`).
struct BackupImportOptions {
    std::string name;  ///< "" keeps the name the backup holds
    std::string pool;  ///< "" keeps the backup's pool when it exists here, else the default profile's root pool
};

}  // namespace li
