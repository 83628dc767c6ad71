#pragma once
// nftables for managed bridges: each network has its own table, `inet libinstance_<network>`,
// replaced atomically in one `nft -f -` transaction and removed with one command. Per-NIC
// filtering (security.mac_filtering, security.ipv4_filtering, security.ipv6_filtering) lives in a
// `bridge libinstance_nic_<host veth>` table per NIC, likewise.
//
// Accepting in our forward chain cannot override a drop in another table's chain on the same hook
// (e.g. Docker's FORWARD DROP policy): nftables runs every base chain. LXD has the same limit.

#include <string>
#include <vector>

namespace li::net {

/// What a network's table does.
struct NetworkFirewall {
    std::string network;          ///< network name (the table is libinstance_<network>)
    std::string bridge;           ///< bridge interface
    std::string ipv4_subnet;      ///< the bridge's IPv4 CIDR ("10.1.2.1/24"; host bits are fine), or empty
    bool ipv4_nat = false;        ///< ipv4.nat: masquerade what leaves the subnet
    std::string ipv4_nat_address; ///< ipv4.nat.address: SNAT to this address instead of masquerading
    std::string ipv6_subnet;      ///< the bridge's IPv6 CIDR, or empty
    bool ipv6_nat = false;        ///< ipv6.nat
    std::string ipv6_nat_address; ///< ipv6.nat.address
    /// Accept DHCP, DNS and ICMP from the bridge to the host and forwarded traffic from and to
    /// it (LXD's ipv4.firewall / ipv6.firewall, default true).
    bool accept_services = true;
};

/// One NIC's filter on a bridge (LXD's security.*_filtering of a bridged nic).
struct NicFilter {
    std::string bridge;                  ///< the bridge the NIC is attached to
    std::string host_name;               ///< the host-side veth
    std::string hwaddr;                  ///< the NIC's MAC
    bool mac_filtering = false;          ///< drop frames whose source MAC is not hwaddr
    bool ipv4_filtering = false;         ///< drop IPv4/ARP whose source is not one of ipv4_addresses
    std::vector<std::string> ipv4_addresses;
    bool ipv6_filtering = false;         ///< drop IPv6 whose source is not link-local or one of ipv6_addresses
    std::vector<std::string> ipv6_addresses;
};

/// "libinstance_<network>".
std::string network_table_name(const std::string& network);
/// "libinstance_nic_<host veth>".
std::string nic_table_name(const std::string& host_name);

/// The nft script that replaces the network's table in one transaction (pure; golden-tested).
/// InvalidArgument naming "config.ipv4.address"/"config.ipv6.address" for a subnet that does not parse.
std::string render_network_ruleset(const NetworkFirewall& firewall);
/// The nft script that replaces a NIC's filter table; an empty string when no filtering is on.
std::string render_nic_filter(const NicFilter& filter);
/// The nft script that removes a table whether or not it exists.
std::string render_remove_table(const std::string& family, const std::string& table);

/// Runs `nft -f -` with the script on stdin (one atomic transaction); Backend error with nft's
/// message when it fails.
void nft_apply(const std::string& script);
/// Applies render_network_ruleset().
void apply_network_table(const NetworkFirewall& firewall);
/// Removes the network's table; missing is fine.
void remove_network_table(const std::string& network);
/// Applies render_nic_filter(), or removes the NIC's table when no filtering is on.
void apply_nic_filter(const NicFilter& filter);
/// Removes a NIC's filter table; missing is fine.
void remove_nic_filter(const std::string& host_name);

/// Turns on IPv4/IPv6 forwarding in the caller's network namespace (needed for NAT and routing
/// through the bridge), as LXD does for a bridge with an address.
void enable_forwarding(bool ipv4, bool ipv6);

}  // namespace li::net
