#pragma once
// Config -> libvirt domain XML: a pure function of an instance's expanded config and devices and
// of the paths and host facts the driver resolved, so that it is tested with golden files.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li {

/// A disk device of the VM, resolved by the driver: a file (raw image) or a host block device.
struct QemuDiskSource {
    std::string device;  ///< the instance's device name ("root", "data")
    std::filesystem::path path;
    bool block = false;  ///< a host block device rather than an image file
    bool readonly = false;
};

/// A host directory shared with the guest (9p), which the guest's init mounts at guest_path as
/// the kernel command line tells it (libinstance.mount=TAG:PATH[:ro]).
struct QemuShareSource {
    std::string device;
    std::filesystem::path path;
    std::string mount_tag;
    std::string guest_path;
    bool readonly = false;
};

/// A nic on a host bridge (managed networks are bridges named by their network).
struct QemuNicSource {
    std::string device;
    std::string bridge;
    std::string hwaddr;
    std::string tap;  ///< host side name
    std::string mtu;  ///< "" leaves the bridge's
};

/// Everything render_domain_xml() needs, resolved by the driver.
struct QemuRenderInput {
    std::string domain_name;
    std::string instance_name;     ///< shown as the domain's title
    bool kvm = false;              ///< KVM acceleration, else TCG
    /// On a libvirtd, QEMU runs as root without libvirt relabelling the disks, as it does under the
    /// embedded driver (whose qemu.conf says so): shares, block devices and the state's files are
    /// root's (ADR 0015).
    bool static_root_label = false;
    uint64_t host_memory = 0;      ///< bytes of host RAM, for limits.memory=N%
    std::string host_cpus = "0";   ///< the host's CPU set, for limits.cpu as a set
    api::ConfigMap config;         ///< expanded
    std::filesystem::path kernel;  ///< direct kernel boot when set (our images' boot/)
    std::filesystem::path initrd;
    std::filesystem::path firmware;       ///< UEFI code, for images without a kernel of their own
    std::filesystem::path firmware_vars;  ///< the instance's copy of the UEFI variables
    std::vector<QemuDiskSource> disks;    ///< the root disk first
    std::vector<QemuShareSource> shares;
    std::vector<QemuNicSource> nics;
    std::filesystem::path console_socket;  ///< the serial console (unix socket QEMU listens on)
    std::filesystem::path console_log;     ///< everything the console printed
    std::filesystem::path agent_socket;    ///< the guest agent's virtio-serial port
};

/// The smallest limits.memory a VM may have.
constexpr uint64_t kVmMinimumMemory = 128ull << 20;
/// LXD's default memory for a VM without limits.memory.
constexpr uint64_t kVmDefaultMemory = 1ull << 30;
/// The virtio-serial port name the guest agent listens on (ADR 0015).
constexpr const char* kVmAgentPortName = "org.libinstance.agent.0";

/// Bytes of memory limits.memory gives (a size or a percentage of host_memory); InvalidArgument
/// (key limits.memory) below kVmMinimumMemory.
uint64_t vm_memory_bytes(const api::ConfigMap& config, uint64_t host_memory);
/// vCPUs limits.cpu gives (a count, or the size of a CPU set), and the set to pin to ("" none).
std::pair<unsigned, std::string> vm_cpus(const api::ConfigMap& config, const std::string& host_cpus);
/// The kernel command line of a directly booted VM: root on the first virtio disk, the console
/// on ttyS0, and what the guest's init applies: its host name and the shares it mounts.
std::string vm_kernel_cmdline(const std::string& hostname, const std::vector<QemuShareSource>& shares);

/// The libvirt domain XML of the VM.
std::string render_domain_xml(const QemuRenderInput& in);

}  // namespace li
