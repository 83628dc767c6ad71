#pragma once
// What the rest of the library reaches of the qemu driver beyond InstanceDriver: the guest agent
// of a running VM, for the file calls.

#include <memory>

namespace li {

class InstanceDriver;
class VmAgentClient;
struct InstanceSpec;

/// The connected agent of the running VM `spec` (the driver keeps one connection per VM; a new
/// one waits for the guest to boot, up to the agent timeout). Conflict when the VM is not running.
/// `qemu_driver` is what ManagerCore::instance_driver("virtual-machine") returned.
std::shared_ptr<VmAgentClient> vm_agent(InstanceDriver& qemu_driver, const InstanceSpec& spec);

}  // namespace li
