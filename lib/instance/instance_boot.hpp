#pragma once
// Host boot and host shutdown: starting the instances that should run when the manager first
// opens after a host boot (boot.autostart, else the last state), and stopping every running
// instance in boot.stop.priority order (LXD's `lxd shutdown`).

#include <optional>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/operation.hpp"

namespace li {

class ManagerCore;

/// True when the host booted since the state directory was last opened (its boot id differs from
/// the one recorded in <state_dir>/boot_id); records the current one.
bool first_open_since_boot(const std::filesystem::path& state_dir);

/// Which of the instances to start at boot, in order: boot.autostart true, or unset and
/// volatile.last_state.power RUNNING (as LXD); higher boot.autostart.priority first, then by name.
std::vector<const api::Instance*> autostart_order(const std::vector<api::Instance>& instances);
/// The running instances in stop order: higher boot.stop.priority first, then by name.
std::vector<const api::Instance*> shutdown_order(const std::vector<api::Instance>& instances);

/// Starts the autostart instances in a background operation ("Starting instances"), waiting
/// boot.autostart.delay seconds after each; failures are logged and the next one is started.
/// Nothing (no operation) when no instance is to start.
std::optional<Operation> autostart_instances(std::shared_ptr<ManagerCore> core);
/// Stops every running instance (boot.host_shutdown_timeout seconds of clean halt each, then
/// killed), instances of one priority together; their last state stays RUNNING so that the next
/// boot starts them again.
Operation shutdown_instances(std::shared_ptr<ManagerCore> core, bool async);

/// Records volatile.last_state.power of an instance ("RUNNING" or "STOPPED").
void set_last_power_state(ManagerCore& core, const std::string& project, const std::string& name, const std::string& state);

}  // namespace li
