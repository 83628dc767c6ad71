#pragma once
// Copies of volumes between pools (or within one, snapshot by snapshot): the flat file tree of a
// volume written into a new volume, whatever either driver's layout.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "storage/storage_driver.hpp"

namespace li {

/// Which of a volume's top-level entries are its content.
enum class VolumeFiles {
    Instance,  ///< an instance volume: rootfs/, metadata.yaml, templates/...; dot names are the driver's own
    All,       ///< a custom volume: everything is the user's, dotfiles included
};

/// Creates `to` on `to_pool` holding a flat copy of `from` on `from_pool` (mounted for the copy
/// and unmounted after). The source must not be in use. Nothing is left of `to` on failure.
void copy_volume_across(StorageDriver& from_pool, StorageDriver& to_pool, const VolumeRef& from, const VolumeRef& to,
                        VolumeFiles files, OperationContext& ctx);

/// Creates `to` on `to_pool` holding a flat copy of snapshot `snapshot` of `from` (a new volume
/// made from a snapshot, `lxc copy c1/snap0 c2`). Nothing is left of `to` on failure.
void copy_snapshot_to_volume(StorageDriver& from_pool, StorageDriver& to_pool, const VolumeRef& from, const std::string& snapshot,
                             const VolumeRef& to, VolumeFiles files, OperationContext& ctx);

/// Creates `to` on `to_pool` with the snapshots `snapshots` of `from` (oldest first, each taken
/// again on the target under its own name from the source snapshot's files) and then the source's
/// current files. Works within one pool and across pools; nothing is left of `to` on failure.
/// `passed` (may be empty) hears how many of the snapshots.size() + 1 passes are done.
void copy_volume_with_snapshots(StorageDriver& from_pool, StorageDriver& to_pool, const VolumeRef& from, const VolumeRef& to,
                                const std::vector<std::string>& snapshots, VolumeFiles files, OperationContext& ctx,
                                const std::function<void(size_t)>& passed = {});

}  // namespace li
