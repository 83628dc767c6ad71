#pragma once
// The resource usage of a running container: cgroups (v1 and v2), its network namespace, its volume.

#include <filesystem>

#include "backend/lxc/lxc_container.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

/// Fills processes, CPU, memory and swap (from the container's cgroups, whichever version holds
/// each controller) and the interfaces of its network namespace into st (whose pid is set).
/// lxc_name is the container's liblxc name, whose cgroup is lxc.payload.<lxc_name>.
void read_running_state(const LxcContainer& c, const std::string& lxc_name, const InstanceSpec& spec,
                        api::InstanceState& st);

/// The root disk's usage: bytes written into the instance's own volume (not its image's layers).
api::InstanceStateDisk root_disk_usage(const std::filesystem::path& volume_dir);

}  // namespace li
