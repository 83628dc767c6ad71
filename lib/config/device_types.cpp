#include "config/device_keys.hpp"

namespace li::config {

const std::vector<DeviceType>& device_types() {
    static const std::vector<DeviceType> types = {
        disk_device_type(), unix_char_device_type(), unix_block_device_type(), nic_device_type(),
        gpu_device_type(),  usb_device_type(),       proxy_device_type(),      none_device_type(),
    };
    return types;
}

}  // namespace li::config
