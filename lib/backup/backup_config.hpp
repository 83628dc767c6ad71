#pragma once
// LXD's backup config (lxd/backup/config.Config): the YAML document every instance and custom
// volume keeps on its volume as backup.yaml, that backups carry (backup/container/backup.yaml and
// the "config" of backup/index.yaml), and that disaster recovery reads back. Keys are LXD's:
// container, snapshots, pool, volume, volume_snapshots — each the LXD REST object in YAML with
// its JSON field names, so LXD reads ours and we read LXD's.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/api/instance_snapshot.hpp"
#include "libinstance/api/storage.hpp"
#include "libinstance/api/storage_volume.hpp"

namespace li {
class ManagerCore;
}

namespace li::backup {

struct Config {
    std::optional<api::Instance> instance;  ///< YAML "container" (also for virtual machines)
    std::vector<api::InstanceSnapshot> snapshots;
    std::optional<api::StoragePool> pool;
    std::optional<api::StorageVolume> volume;  ///< the instance's root volume, or the custom volume
    std::vector<api::StorageVolumeSnapshot> volume_snapshots;
};

std::string to_yaml(const Config& config);
/// InvalidArgument naming `origin` and the field (e.g. "backup.yaml: container.config") for a
/// malformed document; unknown fields are ignored as LXD's decoder does.
Config config_from_yaml(std::string_view yaml, std::string_view origin);

/// The current config of an instance, read from the database.
Config instance_config(ManagerCore& core, std::string_view project, std::string_view name);
/// The current config of a custom volume, read from the database.
Config custom_volume_config(ManagerCore& core, std::string_view project, std::string_view pool,
                            std::string_view volume);

/// Rewrites backup.yaml at the root of the instance's volume (atomically: written beside, then
/// renamed) after anything that changes what it holds: create, copy, update, rename, snapshot
/// create/rename/delete/restore, pool move. Best effort by design: a failure is logged, never
/// fails the operation (the database stays the source of truth while it exists).
void write_instance_backup_file(ManagerCore& core, std::string_view project, std::string_view name) noexcept;
/// The same for a custom volume, kept beside it (custom/.<volume>.backup.yaml), not in it: the
/// volume's root is what containers see, and a fresh volume must stay empty until its first
/// attach hands it to the container's root.
void write_custom_volume_backup_file(ManagerCore& core, std::string_view project, std::string_view pool,
                                     std::string_view volume) noexcept;
/// Removes a custom volume's backup file after the volume itself went (deleted, renamed, moved).
void remove_custom_volume_backup_file(ManagerCore& core, std::string_view project, std::string_view pool,
                                      std::string_view volume) noexcept;
/// Where a custom volume's backup file is, given its pool's root and its on-disk name.
std::filesystem::path custom_volume_backup_path(const std::filesystem::path& pool_root, const std::string& disk_name);

}  // namespace li::backup
