#pragma once
// The config keys of bridge networks (LXD's): validation and the generated values.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "network/network_driver.hpp"

namespace li {

/// Validates a bridge network's config and fills it in: on create, ipv4.address and
/// ipv6.address default to auto, and auto subnets get ipv4.nat / ipv6.nat=true unless set; auto
/// is replaced by a free subnet. An explicit subnet overlapping another network or one of
/// host_routes is InvalidArgument naming "config.ipv4.address" (or ipv6) and what it overlaps.
std::map<std::string, std::string> bridge_config(const std::map<std::string, std::string>& config, const NetworkContext& context,
                                                 const std::vector<net::TakenSubnet>& host_routes4,
                                                 const std::vector<net::TakenSubnet>& host_routes6);

/// InvalidArgument (naming config.tunnel.NAME.<a key of the group>) when a tunnel's interface,
/// <bridge>-<NAME>, would be longer than an interface name can be (15 characters).
void check_tunnel_names(const std::string& bridge, const std::map<std::string, std::string>& config);

/// The address of a validated ipv4.address / ipv6.address, nullopt for none or unset.
std::optional<net::Cidr> bridge_address(const std::map<std::string, std::string>& config, const std::string& key);

}  // namespace li
