#pragma once
// The state of a host interface as LXD reports it (api::NetworkState), and what kind of
// interface it is, for managed and unmanaged networks alike.

#include <string>

#include "libinstance/api/network.hpp"
#include "network/netlink.hpp"

namespace li {

/// NotFound (key "name") when there is no such interface.
api::NetworkState link_state(const std::string& name);
/// LXD's type of an unmanaged interface: "loopback", "bridge", "bond", "vlan", "physical", ...
std::string link_type(const netlink::Link& link);
/// Whether any interface is attached to the bridge (an instance's veth, a tunnel, ...).
bool bridge_has_ports(const std::string& bridge);

}  // namespace li
