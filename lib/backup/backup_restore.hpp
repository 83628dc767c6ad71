#pragma once
// What instance and custom volume imports share: reading a backup's index (after checking the
// whole archive) and creating a volume with its snapshots from the backup's files.

#include <filesystem>
#include <functional>
#include <functional>
#include <string>

#include "backup/backup_archive.hpp"
#include "backup/backup_index.hpp"
#include "storage/storage_driver.hpp"

namespace li {
class ManagerCore;
class OperationContext;
}

namespace li::backup {

/// backup/index.yaml of file, once every entry of the archive passed the hostile-input checks.
Index read_checked_index(ManagerCore& core, const std::filesystem::path& file, PartKind kind);

/// Creates vol on pool with the backup's snapshots (index.snapshots, oldest first, from
/// <snapshots_part>/<name>) and then its current files (from <part>); streams of an optimized
/// backup go through btrfs receive. after_unpack (may be empty) runs on the volume's files after
/// each part is unpacked, before it is snapshotted. Nothing is left of vol on failure or cancellation.
void restore_volume(ManagerCore& core, StorageDriver& pool, const VolumeRef& vol, const Index& index,
                    const std::filesystem::path& file, const std::string& part, const std::string& snapshots_part, PartKind kind,
                    const std::string& progress_key, const std::function<void(const std::filesystem::path&)>& after_unpack,
                    OperationContext& ctx);

}  // namespace li::backup
