#pragma once
// Runs the device hooks of all of a container's devices: at start, after start, at stop, and
// for a live update (the devices that changed are detached and attached again).

#include "instance/drivers/lxc/devices/lxc_device.hpp"

namespace li {

/// The environment device hooks get for a container.
DeviceEnv device_env(ManagerCore& core, const InstanceSpec& spec, const std::string& lxc_name, pid_t init_pid);

/// The devices hooks handle (all but the root disk and "none"), in name order.
std::vector<std::pair<std::string, api::ConfigMap>> hooked_devices(const api::DeviceMap& devices);

/// Cleans up what a previous run may have left, then starts every device; on failure the
/// devices started are stopped again and the error is rethrown.
void start_devices(const DeviceEnv& env, LxcLines& lines);
void post_start_devices(const DeviceEnv& env);
/// Stops every device; failures are logged, not thrown (the container is already down).
void stop_devices(const DeviceEnv& env);
/// Applies a change of devices to the running container described by `after` (env.spec):
/// removed or changed devices are detached, added or changed ones attached. On failure what
/// was done is undone and the error rethrown.
void update_devices(const DeviceEnv& env, const api::DeviceMap& before, const api::DeviceMap& after);

}  // namespace li
