#pragma once
// What the rest of the core needs to know about custom volumes: where their files are and who
// uses them (the disk device attaches them, the pool and volume stores refuse to remove them).

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "libinstance/api/instance.hpp"
#include "storage/storage_driver.hpp"
#include "store/volume_repo.hpp"

namespace li {

class ManagerCore;

/// The driver's name of a custom volume: plain in the default project, "<project>_<name>"
/// elsewhere (as LXD names them on disk), so names only need to be unique per project.
VolumeRef custom_volume_ref(const std::string& project, const std::string& name);

/// The custom volume record of (pool, project, name), if any.
std::optional<VolumeRecord> find_custom_volume(SQLite::Database& db, const std::string& pool, const std::string& project,
                                               const std::string& name);

/// Whether a device is a disk attaching custom volume `volume` of `pool`.
bool device_uses_volume(const api::ConfigMap& device, const std::string& pool, const std::string& volume);

/// API URLs of the instances (expanded devices) and profiles of `project` with a disk device
/// attaching the custom volume.
std::vector<std::string> custom_volume_users(SQLite::Database& db, const std::string& pool, const std::string& project,
                                             const std::string& volume);

/// The custom volume a disk device `device_name` attaches; InvalidArgument naming
/// devices.<name>.source when it does not exist on `pool` in `project`.
VolumeRecord attached_custom_volume(SQLite::Database& db, const std::string& project, const std::string& device_name,
                                    const std::string& pool, const std::string& volume);

/// Refuses (InvalidArgument naming devices.<name>.source) a disk device of `devices` attaching a
/// custom volume that does not exist on its pool in `project`, or a block volume to an instance
/// whose type (record type) is not "virtual-machine".
void check_custom_volume_devices(SQLite::Database& db, const std::string& project, const api::DeviceMap& devices,
                                 const std::string& instance_type);

/// Truthy as LXD reads booleans in config ("true", "1", "yes", "on").
bool config_true(const api::ConfigMap& config, const std::string& key);

}  // namespace li
