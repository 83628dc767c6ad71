#pragma once
// Btrfs subvolume operations through the kernel's ioctls (no btrfs-progs process per launch).

#include <filesystem>

namespace li::btrfs {

/// True when `path` is on a btrfs file system.
bool is_btrfs(const std::filesystem::path& path);
/// True when `path` is the root of a subvolume.
bool is_subvolume(const std::filesystem::path& path);
/// Creates an empty subvolume at `path` (its parent must exist).
void create_subvolume(const std::filesystem::path& path);
/// Snapshots the subvolume `from` as `to`, read-only or writable; instant and copy-on-write.
void snapshot(const std::filesystem::path& from, const std::filesystem::path& to, bool read_only);
/// Makes a subvolume read-only or writable.
void set_read_only(const std::filesystem::path& path, bool read_only);
/// Deletes a subvolume (read-only ones too) with everything in it.
void delete_subvolume(const std::filesystem::path& path);

}  // namespace li::btrfs
