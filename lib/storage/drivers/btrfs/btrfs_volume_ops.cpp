// The btrfs driver's volume operations beyond create/copy/delete: rename, snapshots, quotas.
#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_driver.hpp"
#include "storage/volume_snapshots.hpp"

namespace li {

namespace fs = std::filesystem;

void BtrfsDriver::rename_volume(const VolumeRef& vol, const std::string& new_name) {
    // Subvolumes (read-only ones too) move with rename(2) inside one file system.
    rename_volume_entries(root_, vol, new_name);
}

}  // namespace li
