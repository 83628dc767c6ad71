#pragma once
// The host's GPUs and USB devices, read from sysfs (its root is a parameter so that tests can
// use a fake tree), and the matching of gpu and usb devices against them.

#include <filesystem>
#include <string>
#include <vector>

#include "instance/drivers/lxc/devices/unix_nodes.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

struct HostGpu {
    std::string id;       ///< DRM card number ("0" of card0)
    std::string pci;      ///< PCI address ("0000:00:02.0")
    std::string vendor;   ///< "8086" (lower-case hex, no 0x)
    std::string product;  ///< "5916"
    std::vector<UnixNode> nodes;  ///< /dev/dri/card*, /dev/dri/renderD*, /dev/nvidia* (same path inside)
};

/// The GPUs under sys_root/class/drm, with their nodes; NVIDIA GPUs get their /dev/nvidia<minor>
/// node (minor from proc_root/driver/nvidia/gpus/<pci>/information) and the shared control nodes
/// found under dev_root.
std::vector<HostGpu> host_gpus(const std::filesystem::path& sys_root = "/sys", const std::filesystem::path& dev_root = "/dev",
                               const std::filesystem::path& proc_root = "/proc");

struct HostUsb {
    std::string vendor;   ///< idVendor ("1d6b")
    std::string product;  ///< idProduct
    std::string serial;
    unsigned bus = 0;
    unsigned dev = 0;
    UnixNode node;  ///< /dev/bus/usb/BBB/DDD
};

/// The USB devices under sys_root/bus/usb/devices (interfaces are skipped).
std::vector<HostUsb> host_usb_devices(const std::filesystem::path& sys_root = "/sys");

/// The nodes of the GPUs a gpu device matches (vendorid, productid, id, pci: every key set must
/// match), with the device's uid/gid/mode. NotFound naming devices.<name> when none does.
std::vector<UnixNode> gpu_nodes(const std::string& name, const api::ConfigMap& device, const std::vector<HostGpu>& gpus);
/// The nodes of the USB devices a usb device matches (vendorid, productid, serial); empty when
/// none does and the device is not required, NotFound naming devices.<name> when it is.
std::vector<UnixNode> usb_nodes(const std::string& name, const api::ConfigMap& device, const std::vector<HostUsb>& devices);

}  // namespace li
