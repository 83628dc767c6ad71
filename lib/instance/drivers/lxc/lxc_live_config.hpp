#pragma once
// Live application of instance config keys (limits.*, ...) to a running container.

#include "instance/drivers/lxc/devices/lxc_device.hpp"

namespace li {

/// Applies the keys that changed between before and after (expanded configs) to the running
/// container of env, for keys the registry marks live; other keys take effect at the next start.
/// Throws naming "config.<key>" when a value cannot be applied (then nothing of it stays applied).
void apply_live_config(const DeviceEnv& env, const api::ConfigMap& before, const api::ConfigMap& after);

}  // namespace li
