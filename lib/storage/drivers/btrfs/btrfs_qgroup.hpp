#pragma once
// Btrfs quota groups through the kernel's ioctls: a subvolume's level-0 qgroup (0/<subvolume id>)
// limits and counts the bytes it references.

#include <cstdint>
#include <filesystem>
#include <optional>

namespace li::btrfs {

/// The id of the subvolume holding `path`.
uint64_t subvolume_id(const std::filesystem::path& path);
/// Turns quotas on for the file system holding `path` (a no-op when on) and waits for the rescan
/// that counts what is already there.
void enable_quota(const std::filesystem::path& path);
/// Limits the referenced bytes of the subvolume at `subvolume` (0 removes the limit).
void set_qgroup_limit(const std::filesystem::path& subvolume, uint64_t bytes);

struct QgroupFigures {
    uint64_t referenced = 0;  ///< bytes the subvolume references (shared extents included)
    uint64_t exclusive = 0;   ///< bytes only it references
    uint64_t max_referenced = 0;  ///< its limit, 0 = none
};
/// The subvolume's qgroup figures as of the last commit (the caller syncs first), or nothing when
/// quotas are off.
std::optional<QgroupFigures> qgroup_figures(const std::filesystem::path& subvolume);

}  // namespace li::btrfs
