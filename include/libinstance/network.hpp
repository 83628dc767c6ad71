#pragma once
// li::NetworkStore: the managed networks of a state directory (LXD's /1.0/networks).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/network.hpp"

namespace li {

class ManagerCore;

/// The networks of one Manager, scoped by project (networks live in the `default` project until
/// projects with features.networks exist; the project argument is taken already, empty meaning
/// `default`).
///
/// Types:
/// - `bridge`: a Linux bridge made through netlink, with `ipv4.address` / `ipv6.address` (a CIDR
///   such as 10.1.2.1/24, `auto` = a free private subnet that collides with no route and no other
///   network, or `none`), `ipv4.nat` / `ipv6.nat` (masquerading in the network's own nftables
///   table, removed with it), `ipv4.dhcp`, `ipv4.dhcp.ranges`, `ipv6.dhcp.stateful`, `dns.domain`
///   (default "lxd"), `dns.mode` (managed, dynamic, none), `bridge.mtu`, `bridge.hwaddr`,
///   `raw.dnsmasq`, `tunnel.NAME.protocol|local|remote|id|port|ttl` (vxlan or gre), `user.*`.
///   One dnsmasq per bridge gives DHCP and DNS; it is supervised (started again when it dies),
///   stopped on delete and when the last Manager of the state directory closes.
/// - `macvlan`: `parent` (a host interface), `mtu`, `vlan`; instances' NICs become macvlans of it.
/// - `physical`: `parent` (a host interface), `mtu`, `vlan`; one instance at a time gets it.
///
/// Every change is validated first (InvalidArgument naming "config.<key>" and quoting the value,
/// e.g. an overlapping subnet names the other network or route) and changes nothing on failure.
/// Instances use a network through a `nic` device with `network=NAME` (see the nic device keys).
class NetworkStore {
public:
    explicit NetworkStore(std::shared_ptr<ManagerCore> core);

    /// Creates and starts a managed network and emits network-created. InvalidArgument (key
    /// "name") for a bad name (at most 15 characters, an interface name); NotSupported (key
    /// "type") for an unknown type; AlreadyExists (key "name") when a network or a host
    /// interface has that name. Returns the network with generated values filled in.
    api::Network create(std::string_view project, const api::NetworksPost& post);
    /// Managed networks and, as LXD, the host's other interfaces (managed false), by name.
    std::vector<api::Network> list(std::string_view project);
    /// NotFound (key "name") when there is no such network or host interface.
    api::Network get(std::string_view project, std::string_view name);
    bool exists(std::string_view project, std::string_view name);
    /// The ETag of a network's writable fields, as LXD sends it.
    std::string etag(std::string_view project, std::string_view name);
    /// Replaces description and config (LXD's PUT), applies it to the running network (addresses,
    /// NAT, dnsmasq, tunnels) and emits network-updated. Conflict (key "etag") when if_match is
    /// given and differs; InvalidArgument (key "name") for an unmanaged interface.
    void update(std::string_view project, std::string_view name, const api::NetworkPut& put,
                std::string_view if_match = {});
    /// Renames a network that nothing uses and emits network-renamed. Busy (key "name") naming
    /// its users; AlreadyExists (key "new_name").
    void rename(std::string_view project, std::string_view name, std::string_view new_name);
    /// Deletes a network and emits network-deleted: its bridge, nftables table and dnsmasq go.
    /// Busy (key "name") while instances or profiles use it, naming them.
    void remove(std::string_view project, std::string_view name);
    /// The interface's state: addresses, counters, mtu, hwaddr, bridge members.
    api::NetworkState state(std::string_view project, std::string_view name);
    /// DHCP leases and static reservations of a managed bridge, with instance names.
    std::vector<api::NetworkLease> leases(std::string_view project, std::string_view name);

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
