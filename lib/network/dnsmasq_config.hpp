#pragma once
// What dnsmasq is told for one managed bridge: a pure rendering of its command line, modelled on
// the arguments LXD 5.0 passes (lxd/network/driver_bridge.go), plus the static-host lines of the
// dnsmasq.hosts/ directory. No I/O here, so it is golden-tested.
//
// Files of a network, all under DnsmasqConfig::dir (<state>/networks/<name>):
//   dnsmasq.raw     raw.dnsmasq, given as --conf-file (so /etc/dnsmasq.conf is never read)
//   dnsmasq.leases  dnsmasq's lease database
//   dnsmasq.hosts/  one file per instance NIC ("<instance>.<device>"), --dhcp-hostsdir
//   dnsmasq.pid     the supervisor's record of the running process
//   dnsmasq.log     dnsmasq's stderr (the reason when it exits at once)

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace li::net {

/// Everything dnsmasq needs for one network; fields follow the LXD keys named beside them.
struct DnsmasqConfig {
    std::string network;            ///< network name
    std::string bridge;             ///< bridge interface (usually the network name)
    std::filesystem::path dir;      ///< <state>/networks/<name>
    std::string ipv4_address;       ///< ipv4.address as a CIDR ("10.1.2.1/24"); empty: no IPv4
    bool ipv4_dhcp = true;          ///< ipv4.dhcp
    std::string ipv4_dhcp_ranges;   ///< ipv4.dhcp.ranges, "a-b,c-d"; empty: .2 to the last but one
    std::string ipv4_dhcp_expiry = "1h";  ///< ipv4.dhcp.expiry
    std::string ipv4_dhcp_gateway;  ///< ipv4.dhcp.gateway (DHCP option 3)
    std::string ipv6_address;       ///< ipv6.address as a CIDR; empty: no IPv6
    bool ipv6_dhcp = true;          ///< ipv6.dhcp
    bool ipv6_dhcp_stateful = false;  ///< ipv6.dhcp.stateful
    std::string ipv6_dhcp_ranges;   ///< ipv6.dhcp.ranges
    std::string ipv6_dhcp_expiry = "1h";  ///< ipv6.dhcp.expiry
    std::string dns_domain = "lxd"; ///< dns.domain
    std::string dns_mode = "managed";  ///< dns.mode: managed, dynamic or none (no DNS: --port=0)
    std::string dns_search;         ///< dns.search (DHCP option 119)
    int mtu = 0;                    ///< bridge.mtu; 0 or 1500: no DHCP MTU option
    std::string raw;                ///< raw.dnsmasq, appended as config lines
    /// dnsmasq drops root for this user/group after binding (empty: dnsmasq's compiled default).
    std::string user = "nobody";
    std::string group = "nogroup";
};

/// Builds a DnsmasqConfig from a network's LXD config keys (ipv4.address "none"/"auto"/"" mean
/// no IPv4 here: the driver has already replaced "auto" by the chosen subnet).
DnsmasqConfig dnsmasq_config_from(const std::string& network, const std::string& bridge,
                                  const std::filesystem::path& dir,
                                  const std::map<std::string, std::string>& config);

/// Whether dnsmasq has anything to do: an address to serve DHCP, RA or DNS on.
bool dnsmasq_wanted(const DnsmasqConfig& config);

/// dnsmasq's arguments (without argv[0]). InvalidArgument naming "config.<key>" for an address
/// or range that does not parse.
std::vector<std::string> dnsmasq_args(const DnsmasqConfig& config);

/// The content of dnsmasq.raw: raw.dnsmasq with a final newline.
std::string dnsmasq_raw_conf(const DnsmasqConfig& config);

/// One dhcp-host line: "hwaddr[,ipv4][,[ipv6]][,hostname]"; empty when it says nothing beyond
/// the MAC (no file is needed then).
std::string dnsmasq_host_line(const std::string& hwaddr, const std::string& ipv4, const std::string& ipv6,
                              const std::string& hostname);

/// The file name of an instance NIC's static host entry: "<instance>.<device>".
std::string dnsmasq_host_file_name(const std::string& instance, const std::string& device);

}  // namespace li::net
