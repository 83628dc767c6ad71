#pragma once
// Devices of liblxc containers: each type prepares its host side before a start, contributes
// liblxc configuration lines, cleans up after a stop, and attaches/detaches on a running container
// where LXD can (hot-plug). One file per type; the table is lxc_devices.cpp.

#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "instance/instance_driver.hpp"
#include "sys/idmap.hpp"

namespace li {

class ManagerCore;

/// liblxc configuration lines (key, value), appended to the rendered config in order.
using LxcLines = std::vector<std::pair<std::string, std::string>>;

/// What a device hook knows about its container.
struct DeviceEnv {
    ManagerCore& core;
    const InstanceSpec& spec;  ///< expanded config and devices of the instance
    std::string lxc_name;
    IdMap idmap;               ///< the container's (host ids of container 0..size)
    /// <lxc dir>/<lxc name>/devices: host-side files of the devices (one sub-directory each,
    /// named after the device), removed when the container is destroyed.
    std::filesystem::path devices_dir;
    pid_t init_pid = 0;        ///< the running container's init (0 before start)
};

class LxcDevice {
public:
    virtual ~LxcDevice() = default;
    /// Before liblxc starts the container: prepares the host side and adds the config lines.
    /// Throws (naming "devices.<name>") when the device cannot be provided (e.g. a required
    /// source is missing); the start then fails and stop() is called for the devices started.
    virtual void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& device, LxcLines& lines) = 0;
    /// Once the container runs: work that needs its init (forwarders, traffic shaping).
    virtual void post_start(const DeviceEnv&, const std::string&, const api::ConfigMap&) {}
    /// After the container stopped, also after a failed start and before a start (a container
    /// that stopped on its own left its host side): undoes the host side; idempotent.
    virtual void stop(const DeviceEnv&, const std::string&, const api::ConfigMap&) {}
    /// Adds the device to the running container. Default: NotSupported naming the device.
    virtual void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& device);
    /// Removes the device from the running container. Default: NotSupported naming the device.
    virtual void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& device);
};

/// The implementation of a device type (as validated by config::validate_devices); NotSupported
/// for a type containers cannot have.
LxcDevice& lxc_device(std::string_view type);

/// Whether a device is the root disk, which the storage pool (not a device hook) provides.
bool is_root_disk(const api::ConfigMap& device);

// One per type, each in its own file.
LxcDevice& lxc_disk_device();
LxcDevice& lxc_unix_device();
LxcDevice& lxc_nic_device();
LxcDevice& lxc_gpu_device();
LxcDevice& lxc_usb_device();
LxcDevice& lxc_proxy_device();

}  // namespace li
