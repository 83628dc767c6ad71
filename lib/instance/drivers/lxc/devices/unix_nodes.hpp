#pragma once
// Device nodes given to a container (unix-char, unix-block, gpu, usb): an unprivileged container
// cannot mknod usable nodes, so each node is made on the host under the device's directory,
// owned by the container's ids, and bind mounted inside; the container's device cgroup allows it.

#include <string>
#include <sys/types.h>
#include <vector>

#include "instance/drivers/lxc/devices/lxc_device.hpp"

namespace li {

struct UnixNode {
    char type = 'c';  ///< 'c' (character) or 'b' (block)
    unsigned major = 0;
    unsigned minor = 0;
    std::string path;  ///< absolute, inside the container
    uint64_t uid = 0;  ///< owner inside the container
    uint64_t gid = 0;
    mode_t mode = 0660;
};

/// Makes the nodes and adds their mount entries and device cgroup rules (v1 and v2).
void start_unix_nodes(const DeviceEnv& env, const std::string& name, const std::vector<UnixNode>& nodes, LxcLines& lines);
/// Makes the nodes, allows them in the running container's device cgroup and mounts them inside.
void attach_unix_nodes(const DeviceEnv& env, const std::string& name, const std::vector<UnixNode>& nodes);
/// Unmounts and removes the nodes attach/start made (as recorded then) from the running
/// container and denies them again in its device cgroup (but for the nodes every container has).
void detach_unix_nodes(const DeviceEnv& env, const std::string& name);
/// Removes the host-side nodes; idempotent.
void stop_unix_nodes(const DeviceEnv& env, const std::string& name);

/// Reads "MAJ:MIN" (a sysfs "dev" file's content).
bool parse_major_minor(const std::string& text, unsigned& major, unsigned& minor);
/// Parses an octal mode ("0660", "660"); "" = 0660. Throws InvalidArgument naming `key`.
mode_t parse_mode(const std::string& text, const std::string& key);

}  // namespace li
