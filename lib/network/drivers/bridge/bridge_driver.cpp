#include "network/drivers/bridge/bridge_driver.hpp"

#include <fmt/format.h>
#include <net/if.h>

#include "core/log.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "network/drivers/bridge/bridge_config.hpp"
#include "network/link_state.hpp"
#include "network/netlink.hpp"

namespace li {

namespace {

using Config = std::map<std::string, std::string>;

constexpr uint32_t kDefaultMtu = 1500;

std::string value(const Config& c, const std::string& key) {
    auto it = c.find(key);
    return it == c.end() ? std::string() : it->second;
}

// The bridge's global addresses of one family become exactly the configured one (or none).
void apply_address(const std::string& bridge, const Config& config, int family) {
    auto wanted = bridge_address(config, family == 4 ? "ipv4.address" : "ipv6.address");
    auto link = netlink::find_link(bridge);
    if (!link) return;
    bool present = false;
    for (const auto& a : netlink::addresses(family)) {
        if (a.index != link->index || a.scope != "global") continue;
        if (wanted && a.cidr.bytes == wanted->bytes && a.cidr.prefix == wanted->prefix) {
            present = true;
            continue;
        }
        netlink::delete_address(bridge, a.cidr);
    }
    if (wanted && !present) netlink::add_address(bridge, *wanted);
}

// MTU, MAC address and addresses of a running bridge as the config says, then up.
void apply_config(const std::string& bridge, const Config& config) {
    std::string mtu = value(config, "bridge.mtu");
    netlink::set_mtu(bridge, mtu.empty() ? kDefaultMtu : static_cast<uint32_t>(std::stoul(mtu)));
    if (std::string hwaddr = value(config, "bridge.hwaddr"); !hwaddr.empty()) netlink::set_hwaddr(bridge, hwaddr);
    netlink::set_up(bridge, true);
    apply_address(bridge, config, 4);
    apply_address(bridge, config, 6);
}

// Call sites for the other helpers' parts (lib/network/dnsmasq.hpp, lib/network/nftables.hpp):
// they are not in this tree yet.
void start_services(const NetworkRecord& /*network*/) {
    // TODO(dnsmasq): start the supervised dnsmasq of the network (DHCP, DNS).
    // TODO(nftables): create the network's NAT table when ipv4.nat / ipv6.nat.
}

void stop_services(const NetworkRecord& /*network*/) {
    // TODO(dnsmasq): stop the network's dnsmasq.
    // TODO(nftables): delete the network's table.
}

}  // namespace

Config BridgeDriver::validate(const std::string& name, const Config& config, const NetworkContext& context) {
    // Routes through the bridge itself are its own subnets (when updating).
    return bridge_config(config, context, net::host_subnets(4, name), net::host_subnets(6, name));
}

void BridgeDriver::create(const NetworkRecord& network) {
    Reverter revert;
    try {
        netlink::create_bridge(network.name);
    } catch (const Error& e) {
        if (e.sys_errno() == EEXIST)
            throw Error(ErrorCode::AlreadyExists, fmt::format("a host interface named \"{}\" already exists", network.name), "name");
        throw;
    }
    revert.add([&] {
        try {
            netlink::delete_link(network.name);
        } catch (const std::exception& e) {
            log::warn("removing a half-made bridge", {{"network", network.name}, {"error", e.what()}});
        }
    });
    apply_config(network.name, network.config);
    start_services(network);
    revert.success();
}

void BridgeDriver::start(const NetworkRecord& network) {
    if (!netlink::find_link(network.name)) netlink::create_bridge(network.name);
    apply_config(network.name, network.config);
    start_services(network);
}

void BridgeDriver::stop(const NetworkRecord& network) { stop_services(network); }

void BridgeDriver::update(const NetworkRecord& current, const NetworkRecord& next) {
    if (!netlink::find_link(current.name)) netlink::create_bridge(current.name);
    apply_config(current.name, next.config);
    stop_services(current);
    start_services(next);
}

void BridgeDriver::rename(const NetworkRecord& network, const std::string& new_name) {
    stop_services(network);
    bool up = false;
    if (auto link = netlink::find_link(network.name)) {
        up = link->flags & IFF_UP;
        if (up) netlink::set_up(network.name, false);
        netlink::rename_link(network.name, new_name);
    }
    NetworkRecord renamed = network;
    renamed.name = new_name;
    if (up) netlink::set_up(new_name, true);
    // Addresses go with the link; taking it down dropped IPv6 ones, so apply them again.
    apply_config(new_name, renamed.config);
    start_services(renamed);
}

void BridgeDriver::remove(const NetworkRecord& network) {
    stop_services(network);
    if (netlink::find_link(network.name)) netlink::delete_link(network.name);
}

api::NetworkState BridgeDriver::state(const NetworkRecord& network) { return link_state(network.name); }

std::vector<api::NetworkLease> BridgeDriver::leases(const NetworkRecord& /*network*/) {
    // TODO(dnsmasq): the leases file of the network's dnsmasq and the static reservations.
    return {};
}

NicPlan BridgeDriver::prepare_nic(const NetworkRecord& network, const Config& /*nic*/) {
    if (!netlink::find_link(network.name)) start(network);  // e.g. deleted by hand: bring it back
    return NicPlan{"bridged", network.name, value(network.config, "bridge.mtu")};
}

void BridgeDriver::release_nic(const NetworkRecord& /*network*/, const Config& /*nic*/) {
    // TODO(dnsmasq): drop the nic's static DHCP reservation.
}

}  // namespace li
