#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "libinstance/error.hpp"

namespace li {

void LxcDevice::attach(const DeviceEnv&, const std::string& name, const api::ConfigMap& device) {
    throw Error(ErrorCode::NotSupported,
                fmt::format("device \"{}\" ({}) cannot be added to a running container; stop it first", name,
                            config::device_value(device, "type")),
                "devices." + name);
}

void LxcDevice::detach(const DeviceEnv&, const std::string& name, const api::ConfigMap& device) {
    throw Error(ErrorCode::NotSupported,
                fmt::format("device \"{}\" ({}) cannot be removed from a running container; stop it first", name,
                            config::device_value(device, "type")),
                "devices." + name);
}

bool is_root_disk(const api::ConfigMap& device) {
    return config::device_value(device, "type") == "disk" && config::device_value(device, "path") == "/";
}

LxcDevice& lxc_device(std::string_view type) {
    if (type == "disk") return lxc_disk_device();
    if (type == "unix-char" || type == "unix-block") return lxc_unix_device();
    if (type == "nic") return lxc_nic_device();
    if (type == "gpu") return lxc_gpu_device();
    if (type == "usb") return lxc_usb_device();
    if (type == "proxy") return lxc_proxy_device();
    throw Error(ErrorCode::NotSupported, fmt::format("containers cannot have devices of type \"{}\"", type), "devices");
}

}  // namespace li
