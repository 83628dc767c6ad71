// The dir driver's volume operations beyond create/copy/delete: rename, snapshots, usage.
#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "storage/drivers/dir/dir_driver.hpp"
#include "storage/volume_snapshots.hpp"

namespace li {

namespace fs = std::filesystem;

void DirDriver::rename_volume(const VolumeRef& vol, const std::string& new_name) {
    // A mounted overlay below the volume moves with its directory.
    rename_volume_entries(pool_dir_, vol, new_name);
}

}  // namespace li
