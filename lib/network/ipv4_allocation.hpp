#pragma once
// Choosing an IPv4 address for a nic that needs a fixed one without naming it (LXD allocates one
// for security.ipv4_filtering): pure, so it is unit-tested.

#include <string>
#include <vector>

#include "libinstance/api/network.hpp"
#include "network/cidr.hpp"

namespace li::net {

/// The address for the nic with hwaddr on the bridge's subnet: the one a lease or reservation
/// already gives that MAC, else the lowest address of ranges (LXD's "a-b,c-d" ipv4.dhcp.ranges;
/// empty: .2 up to the last but one of the subnet) that no lease or reservation in taken holds
/// and that is not the bridge's own. Backend error naming the network when the ranges are full.
std::string allocate_ipv4(const std::string& network, const Cidr& bridge, const std::string& ranges,
                          const std::vector<api::NetworkLease>& taken, const std::string& hwaddr);

}  // namespace li::net
