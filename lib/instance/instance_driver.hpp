#pragma once
// The InstanceDriver interface: runs instances described by value; never touches the store.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/instance.hpp"

namespace li {

class ManagerCore;

/// What a driver is told about an instance: identity, expanded config and devices, its volume.
struct InstanceSpec {
    std::string project;
    std::string name;
    std::string type;
    std::string architecture;
    api::ConfigMap config;    // expanded (profiles applied)
    api::DeviceMap devices;   // expanded
    std::filesystem::path volume_dir;  // holds rootfs/
    std::string pool;                  // the storage pool of the root disk
    bool ephemeral = false;
};

class InstanceDriver {
public:
    virtual ~InstanceDriver() = default;
    virtual std::string name() const = 0;

    virtual void start(const InstanceSpec& spec) = 0;
    /// Graceful halt then kill after the timeout; force kills at once.
    virtual void stop(const InstanceSpec& spec, bool force, std::chrono::seconds timeout) = 0;
    virtual api::InstanceState state(const InstanceSpec& spec) = 0;
    /// state()'s status_code alone, without the cost of the usage counters (cgroups, network,
    /// disk): for the checks that only ask whether the instance runs.
    virtual int status_code(const InstanceSpec& spec) = 0;
    virtual ExecResult exec(const InstanceSpec& spec, const std::vector<std::string>& argv, const ExecOptions& opts) = 0;
    /// Attaches to the console of the running instance.
    virtual Console console(const InstanceSpec& spec) = 0;
    /// The folder holding the instance's logs (liblxc's log, the console log).
    virtual std::filesystem::path log_dir(const InstanceSpec& spec) = 0;
    /// Applies a configuration change to the running instance: `before` is what it runs with,
    /// `after` the new expanded config and devices. What cannot apply live takes effect at the
    /// next start; what must apply and cannot throws, with nothing of the change left applied.
    virtual void update(const InstanceSpec& before, const InstanceSpec& after) = 0;
    /// Removes what the driver keeps for the instance (config, logs); the volume is the pool's.
    virtual void destroy(const InstanceSpec& spec) = 0;
    /// Moves the stopped instance's own files (runtime dir, logs) to those of new_name; the
    /// storage volume is the pool's business.
    virtual void rename(const InstanceSpec& spec, const std::string& new_name) = 0;
    /// Refuses (naming the key) a new instance's config that it could never start with, before
    /// anything of it is made. Default: nothing beyond the config registry's checks.
    virtual void check_new(const InstanceSpec& spec) { (void)spec; }
};

/// The liblxc driver for containers.
std::unique_ptr<InstanceDriver> make_lxc_driver(ManagerCore& core);
/// The libvirt/QEMU driver for virtual machines (ADR 0015).
std::unique_ptr<InstanceDriver> make_qemu_driver(ManagerCore& core);

}  // namespace li
