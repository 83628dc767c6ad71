#pragma once
// Mounts of devices: prepared on the host under the device's directory, then either handed to
// liblxc as an lxc.mount.entry (start) or moved into a running container's mount namespace
// (hot-plug), always resolved inside the container's root.

#include <filesystem>
#include <string>
#include <sys/types.h>

#include "instance/drivers/lxc/devices/lxc_device.hpp"

namespace li {

/// env.devices_dir/name, created (mode 0711: the container's root must traverse it).
std::filesystem::path device_dir(const DeviceEnv& env, const std::string& name);

/// One lxc.mount.entry value binding host `source` at `target` (absolute, inside the container);
/// `options` are added after "bind"/"rbind" and "create=dir|file".
std::string mount_entry(const std::filesystem::path& source, const std::string& target, bool directory, bool recursive,
                        const std::string& options);

/// Attaches a clone of the host mount tree at `source` at `target` inside the running container
/// whose init is `init_pid`, creating the target (a directory, or an empty file) as the
/// container's root (host ids of idmap's 0). The target is resolved inside the container's root:
/// a symlink never leads out of it. `propagation` ("" or e.g. "rslave") is applied to the mount.
void mount_into_container(pid_t init_pid, const IdMap& idmap, const std::filesystem::path& source, const std::string& target,
                          bool directory, const std::string& propagation = {});

/// Detaches whatever is mounted at `target` inside the running container (a no-op when nothing
/// is); removes the target when remove_file and it is a (now uncovered) empty regular file.
void unmount_in_container(pid_t init_pid, const std::string& target, bool remove_file = false);

}  // namespace li
