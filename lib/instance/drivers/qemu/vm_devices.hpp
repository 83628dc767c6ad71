#pragma once
// A VM's devices: disk and nic devices made into what the domain XML names (images, 9p shares,
// taps on bridges), checked before anything is made, and their counters for the state.

#include <cstdint>
#include <string>

#include "core/reverter.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

class ManagerCore;
class LibvirtDomain;
struct InstanceSpec;
struct QemuRenderInput;

/// Refuses (InvalidArgument or NotFound naming the key) what the VM could not start with:
/// memory below the minimum, a CPU set the host lacks, a disk source that does not exist, a nic
/// without a bridge, a device type VMs do not have.
void check_vm_config(ManagerCore& core, const InstanceSpec& spec);

/// Adds the VM's extra disks, shares and nics to `in`; what it tells managed networks is undone
/// by `revert`.
void prepare_vm_devices(ManagerCore& core, const InstanceSpec& spec, QemuRenderInput& in, Reverter& revert);

/// Tells the managed networks of the VM's nics that they went (after the VM stopped).
void release_vm_devices(ManagerCore& core, const InstanceSpec& spec);

/// The nics' counters, as the host sees their taps, keyed as the guest names them (eth0, ...).
void vm_device_counters(ManagerCore& core, const InstanceSpec& spec, const LibvirtDomain& dom, api::InstanceState& st);

/// Bytes of host RAM (for limits.memory=N%) and the host's CPU set (for limits.cpu as a set).
uint64_t host_memory_bytes();
std::string host_cpu_set();

/// The name of a VM nic's host side (tap) device. Host interface names are one namespace for every
/// state directory on the host, so the name hashes the instance's volume folder (which is inside
/// its state directory), not just its name.
std::string vm_tap_name(const InstanceSpec& spec, const std::string& device);

}  // namespace li
