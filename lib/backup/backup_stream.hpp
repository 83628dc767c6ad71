#pragma once
// Optimized backups of btrfs volumes: `btrfs send` streams (snapshots sent incrementally, each
// from the one before) and `btrfs receive` to read them back.

#include <filesystem>
#include <string>
#include <vector>

#include "backup/backup_archive.hpp"
#include "storage/storage_driver.hpp"

namespace li {
class OperationContext;
}

namespace li::backup {

/// Adds <snapshots_part>/<snapshot>.bin for each snapshot (oldest first) and <part>.bin for the
/// volume itself (sent from a read-only snapshot taken for it). spool is a scratch file.
void btrfs_send_volume(StorageDriver& pool, const VolumeRef& vol, const std::vector<std::string>& snapshots,
                       const std::string& part, const std::string& snapshots_part, ArchiveWriter& out,
                       const std::filesystem::path& spool, OperationContext& ctx);

/// Creates vol on a btrfs pool from the streams of an optimized backup (its snapshots first, each
/// becoming a snapshot of vol). Nothing is left of vol on failure.
void btrfs_receive_volume(StorageDriver& pool, const VolumeRef& vol, const std::vector<std::string>& snapshots,
                          const std::string& part, const std::string& snapshots_part, const std::filesystem::path& file,
                          const UnpackLimits& limits, OperationContext& ctx);

}  // namespace li::backup
