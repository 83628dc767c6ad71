#pragma once
// Instances' nic devices with network=NAME, made concrete by the network's driver (its NIC
// prepare hook) at the point the expanded devices become the driver's devices, so the instance
// drivers never know what a managed network is made of.

#include <string>

#include "libinstance/api/instance.hpp"

namespace li {

class ManagerCore;

/// devices with every nic on a managed network given the nictype, parent (and mtu, unless set)
/// its network decides; the network key stays. A nic whose network does not exist is left as
/// it is (the nic device refuses to start it, naming the network).
api::DeviceMap resolve_network_nics(ManagerCore& core, const std::string& project, const api::DeviceMap& devices);

}  // namespace li
