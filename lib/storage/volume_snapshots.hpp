#pragma once
// Layout and helpers shared by the drivers whose volumes are directories or subvolumes (dir, btrfs)
// for renaming volumes and keeping their snapshots.
//
// Snapshots live beside the volumes, as in LXD:
//   <pool>/<type>/<volume>                       the volume (e.g. containers/c1, custom/data)
//   <pool>/<type>-snapshots/<volume>/<snapshot>  its snapshots (e.g. custom-snapshots/data/snap0)
// A snapshot being made is staged as <snapshot>.creating, so it never looks whole before it is.
// Renaming a volume moves its <type>-snapshots/<volume> folder with it; deleting it removes that.

#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "storage/storage_driver.hpp"

namespace li {

/// <pool_root>/<type>-snapshots/<volume>: the folder holding a volume's snapshots.
std::filesystem::path volume_snapshots_dir(const std::filesystem::path& pool_root, const VolumeRef& vol);
/// The folders of a pool holding snapshots, one per volume type (for deleting a pool).
std::vector<std::filesystem::path> snapshot_type_dirs(const std::filesystem::path& pool_root);

/// Refuses a volume or snapshot name that is empty, ".", "..", holds '/' or ends in the staging
/// suffix ".creating": InvalidArgument naming `key` and the name.
void check_entry_name(const std::string& name, const std::string& key);

/// rename(2) that never replaces: AlreadyExists naming `to` when it exists.
void rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);
/// Swaps two paths atomically (renameat2 RENAME_EXCHANGE).
void exchange_paths(const std::filesystem::path& a, const std::filesystem::path& b);

/// Renames the snapshot at `from` (found by the driver's snapshot_path()) to new_name beside it:
/// InvalidArgument (key "name") for a bad name, AlreadyExists (key "name") when it is taken.
void rename_snapshot_entry(const std::filesystem::path& from, const std::string& new_name, const VolumeRef& vol);

// --- Snapshots made and restored by copying (dir, mock; btrfs snapshots subvolumes instead) ---

/// Copies a volume's files from one directory to a new one, keeping what the driver must keep.
using TreeCopy = std::function<void(const std::filesystem::path& from, const std::filesystem::path& to, std::stop_token)>;

/// Copies the volume at `source` into snapshot `snapshot` (staged as <snapshot>.creating, then
/// renamed into place; nothing is left on failure or cancellation). InvalidArgument for a bad
/// name, AlreadyExists when it exists (key "name").
void create_copied_snapshot(const std::filesystem::path& pool_root, const VolumeRef& vol, const std::filesystem::path& source,
                            const std::string& snapshot, const TreeCopy& copy, OperationContext& ctx);
/// The snapshot's directory: InvalidArgument for a bad name, NotFound when it does not exist (key "name").
std::filesystem::path existing_snapshot_dir(const std::filesystem::path& pool_root, const VolumeRef& vol,
                                            const std::string& snapshot);
/// Removes a snapshot's directory, and the volume's snapshot folder with its last snapshot.
void delete_snapshot_dir(const std::filesystem::path& snapshot_dir);
/// Makes the volume at `volume` a copy of `snapshot_dir`: copied beside it, then swapped in with one
/// atomic exchange (until then the volume is untouched; a failure leaves nothing). release(path)
/// frees a path of the driver's mounts before it is cleared or swapped.
void restore_copied_snapshot(const std::filesystem::path& snapshot_dir, const std::filesystem::path& volume, const TreeCopy& copy,
                             const std::function<void(const std::filesystem::path&)>& release, OperationContext& ctx);

/// Moves a volume (<pool_root>/<type>/<name>) and its snapshot folder to `new_name`: NotFound when
/// the volume does not exist, AlreadyExists when the new name is taken; nothing changes on failure.
void rename_volume_entries(const std::filesystem::path& pool_root, const VolumeRef& vol, const std::string& new_name);

/// The snapshot names in a volume's snapshot folder, oldest first (by birth time, then name);
/// staged ".creating" entries are left out.
std::vector<std::string> snapshot_names_oldest_first(const std::filesystem::path& snapshots_dir);

/// Bytes the files below `dir` take on disk (allocated blocks; hard links counted once), not
/// crossing into other mounts or nested btrfs subvolumes.
uint64_t tree_disk_usage(const std::filesystem::path& dir);

}  // namespace li
