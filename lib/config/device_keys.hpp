#pragma once
// Device validation: each device type lists its keys (in the registry's ConfigKey form) plus a
// check of the whole device (required keys, combinations).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_key.hpp"

namespace li::config {

struct DeviceType {
    std::string type;  ///< LXD's "type" value
    std::string doc;
    std::vector<ConfigKey> keys;  ///< "type" itself is implicit
    /// Checks the device as a whole once every key is valid (e.g. "path is required"); throws
    /// InvalidArgument naming "devices.<name>.<key>". May be empty.
    std::function<void(const std::string& name, const api::ConfigMap& device, std::string_view instance_type)> check;
    /// Whether the type can be added to, or removed from, a running container.
    bool hotplug = false;
};

/// Every device type, in documentation order.
const std::vector<DeviceType>& device_types();
const DeviceType* find_device_type(std::string_view type);

/// Checks devices set by a user on an instance or a profile: known type, known and valid keys,
/// the type's own check. InvalidArgument naming "devices.<name>[.<key>]" and quoting the value.
void validate_devices(const api::DeviceMap& devices, std::string_view instance_type, bool for_profile = false);

/// The value of a device key, or fallback.
std::string device_value(const api::ConfigMap& device, const std::string& key, const std::string& fallback = {});

// The per-type tables, one file each under lib/config/devices/.
DeviceType disk_device_type();
DeviceType unix_char_device_type();
DeviceType unix_block_device_type();
DeviceType nic_device_type();
DeviceType gpu_device_type();
DeviceType usb_device_type();
DeviceType proxy_device_type();
DeviceType none_device_type();

}  // namespace li::config
