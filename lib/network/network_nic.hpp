#pragma once
// Instances' nic devices with network=NAME, made concrete by the network's driver (its NIC
// prepare hook) at the point the expanded devices become the driver's devices, so the instance
// drivers never know what a managed network is made of. The start and release hooks let the
// network follow its nics (DHCP reservations, DNS names, filters).

#include <optional>
#include <string>

#include "libinstance/api/instance.hpp"
#include "network/network_driver.hpp"
#include "store/network_repo.hpp"

namespace SQLite {
class Database;
}

namespace li {

class ManagerCore;

/// devices with every nic on a managed network given the nictype, parent (and mtu, unless set)
/// its network decides; the network key stays. A nic whose network does not exist is left as
/// it is (the nic device refuses to start it, naming the network).
api::DeviceMap resolve_network_nics(ManagerCore& core, const std::string& project, const api::DeviceMap& devices);

/// LXD's prefix (00:16:3e) and three bytes derived from the instance and the device: a nic's
/// address when its hwaddr is not set, stable across restarts without being stored.
std::string default_nic_hwaddr(const std::string& project, const std::string& instance, const std::string& device);

/// NotFound (key "devices.<name>.network") for a nic naming a network that does not exist, as
/// LXD refuses such an instance at create and update.
void check_network_devices(SQLite::Database& db, const std::string& project, const api::DeviceMap& devices);

/// The network of a nic (nic.config["network"]) was told the nic is made: its driver's
/// start_nic. Nothing for a nic on no managed network.
void network_nic_started(ManagerCore& core, const NicUse& nic);
/// ... and that it went: its driver's release_nic (errors are logged: a stop must go on).
void network_nic_released(ManagerCore& core, const NicUse& nic);

}  // namespace li
