#pragma once
// rtnetlink over a raw NETLINK_ROUTE socket, in the calling thread's network namespace: bridges,
// link settings, addresses and routes. No `ip` subprocess. Errors are Error(System) with errno,
// naming the interface.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "network/cidr.hpp"

namespace li::netlink {

struct LinkStats {
    uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0;
};

struct Link {
    int index = 0;
    std::string name;
    std::string kind;     ///< IFLA_INFO_KIND ("bridge", "veth", ...), "" for physical ones
    unsigned flags = 0;   ///< IFF_*
    bool loopback = false;
    uint32_t mtu = 0;
    std::string hwaddr;   ///< "aa:bb:..", "" when none
    int master = 0;       ///< the bridge it is attached to (index), 0 when none
    LinkStats stats;
};

struct Address {
    int index = 0;        ///< the interface
    net::Cidr cidr;       ///< address with its prefix
    std::string scope;    ///< "global", "link", "local"
};

struct Route {
    int index = 0;        ///< the output interface, 0 when none
    net::Cidr dst;        ///< destination subnet (prefix 0: default route)
};

std::vector<Link> links();
std::optional<Link> find_link(const std::string& name);
/// Creates a bridge (EEXIST when the name is taken).
void create_bridge(const std::string& name);
void delete_link(const std::string& name);

/// A VXLAN link: point-to-point to remote, or on a multicast group through device.
struct VxlanSpec {
    std::string name;
    uint32_t id = 1;          ///< VNI
    std::string local;        ///< source address ("" for any)
    std::string remote;       ///< peer's address (unicast); "" with group
    std::string group;        ///< multicast group when there is no remote
    std::string device;       ///< the underlay interface ("" for none)
    uint16_t port = 0;        ///< UDP destination port (0: the kernel's default, 8472)
    uint8_t ttl = 0;          ///< 0: the kernel's default
};
/// A gretap (or ip6gretap for IPv6 addresses) link: Ethernet over GRE, so it can be a bridge port.
struct GretapSpec {
    std::string name;
    std::string local, remote;
    uint8_t ttl = 0;          ///< 0: inherit
};
/// Create the link (EEXIST when the name is taken); InvalidArgument for a malformed address.
void create_vxlan(const VxlanSpec& spec);
void create_gretap(const GretapSpec& spec);
/// An 802.1Q VLAN link NAME on parent with the VLAN id (gvrp: register it with GVRP).
void create_vlan(const std::string& name, const std::string& parent, uint16_t id, bool gvrp = false);
void set_up(const std::string& name, bool up);
void set_mtu(const std::string& name, uint32_t mtu);
/// hwaddr "aa:bb:cc:dd:ee:ff"; InvalidArgument for a malformed one.
void set_hwaddr(const std::string& name, const std::string& hwaddr);
/// Renames a link (the kernel wants it down).
void rename_link(const std::string& name, const std::string& new_name);
/// Attaches a link to a bridge (master).
void set_master(const std::string& name, const std::string& bridge);
void add_address(const std::string& name, const net::Cidr& cidr);
void delete_address(const std::string& name, const net::Cidr& cidr);
/// The addresses of every interface (family 4, 6 or 0 for both).
std::vector<Address> addresses(int family = 0);
/// The routes of the main table.
std::vector<Route> routes(int family);

}  // namespace li::netlink
