#pragma once
// Subnets for `ipv4.address=auto` / `ipv6.address=auto`, and the overlap check of explicit ones:
// a bridge's subnet must collide with no route of the current network namespace and no other
// managed network.

#include <optional>
#include <string>
#include <vector>

#include "network/cidr.hpp"

namespace li::net {

/// A subnet already in use, and what uses it ("network \"br1\"", "route 10.0.0.0/8 on eth0").
struct TakenSubnet {
    Cidr subnet;
    std::string owner;
};

/// The destinations of the main table's routes of this namespace (not default routes), except
/// those through the interface named skip_interface (the network's own bridge on an update).
std::vector<TakenSubnet> host_subnets(int family, const std::string& skip_interface = {});

/// The first taken subnet that overlaps cidr's, if any.
std::optional<TakenSubnet> find_overlap(const Cidr& cidr, const std::vector<TakenSubnet>& taken);

/// A free 10.x.y.1/24: random ones first (as LXD), then every /24 of 10/8, 172.16/12 and
/// 192.168/16 in order, so that it still finds one where 10/8 is mostly routed (where LXD gives
/// up). Throws Error(Busy, key "config.ipv4.address") when none is free.
Cidr auto_ipv4(const std::vector<TakenSubnet>& taken);
/// A free fd42:xxxx:xxxx:xxxx::1/64 ULA (random).
Cidr auto_ipv6(const std::vector<TakenSubnet>& taken);

}  // namespace li::net
