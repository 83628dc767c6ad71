#pragma once
// The resource usage of a running container: cgroups (v1 and v2), its network namespace, its volume.

#include <filesystem>

#include "backend/lxc/lxc_container.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

/// Fills processes, CPU, memory and swap (from the container's cgroups, whichever version holds
/// each controller) and the interfaces of its network namespace into st (whose pid is set).
void read_running_state(const LxcContainer& c, const InstanceSpec& spec, api::InstanceState& st);

/// The root disk's usage: bytes written into the instance's own volume (not its image's layers).
api::InstanceStateDisk root_disk_usage(const std::filesystem::path& volume_dir);

}  // namespace li
