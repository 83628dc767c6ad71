#pragma once
// The root disk device's `size` key: an instance volume's quota, applied through its pool's driver.

#include <string>

#include "libinstance/api/instance.hpp"
#include "storage/storage_driver.hpp"

namespace li {

/// The root disk's size setting in expanded devices: the key it is set by
/// ("devices.<root>.size") and its text ("" when unset or when there is no root disk).
struct RootDiskSize {
    std::string key;
    std::string value;
};
RootDiskSize root_disk_size(const api::DeviceMap& expanded_devices);

/// Limits the instance volume `vol` to the expanded root disk's size, or lifts its limit when
/// there is none. Errors name the key (devices.<root>.size): InvalidArgument for a bad value or a
/// volume already larger, NotSupported for a pool that cannot limit (dir). Lifting a limit on
/// such a pool is a no-op: there is none to lift.
void apply_root_disk_size(StorageDriver& pool, const VolumeRef& vol, const api::DeviceMap& expanded_devices);

/// Applies the root disk size of `after` when it differs from `before`'s; true when it did (the
/// caller then undoes it with apply_root_disk_size(pool, vol, before) if a later step fails).
bool change_root_disk_size(StorageDriver& pool, const VolumeRef& vol, const api::DeviceMap& before,
                           const api::DeviceMap& after);

}  // namespace li
