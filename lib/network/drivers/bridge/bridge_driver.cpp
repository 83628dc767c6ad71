#include "network/drivers/bridge/bridge_driver.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <net/if.h>

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "network/drivers/bridge/bridge_config.hpp"
#include "network/link_state.hpp"
#include "network/dnsmasq.hpp"
#include "network/netlink.hpp"
#include "network/nftables.hpp"

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

bool truthy(const Config& c, const std::string& key, bool fallback) {
    std::string v = value(c, key);
    if (v.empty()) return fallback;
    return v == "true" || v == "1" || v == "yes" || v == "on";
}

// The address of ipv4.address / ipv6.address when it is one ("" for none).
std::string cidr_or_empty(const Config& c, const std::string& key) {
    auto cidr = bridge_address(c, key);
    return cidr ? cidr->text() : std::string();
}

}  // namespace

void BridgeDriver::start_services(const NetworkRecord& network) {
    net::NetworkFirewall fw;
    fw.network = network.name;
    fw.bridge = network.name;
    fw.ipv4_subnet = cidr_or_empty(network.config, "ipv4.address");
    fw.ipv4_nat = truthy(network.config, "ipv4.nat", false);
    fw.ipv4_nat_address = value(network.config, "ipv4.nat.address");
    fw.ipv6_subnet = cidr_or_empty(network.config, "ipv6.address");
    fw.ipv6_nat = truthy(network.config, "ipv6.nat", false);
    fw.ipv6_nat_address = value(network.config, "ipv6.nat.address");
    fw.accept_services = truthy(network.config, "ipv4.firewall", true) || truthy(network.config, "ipv6.firewall", true);
    if (!fw.ipv4_subnet.empty() || !fw.ipv6_subnet.empty()) net::enable_forwarding(!fw.ipv4_subnet.empty(), !fw.ipv6_subnet.empty());
    net::apply_network_table(fw);

    net::DnsmasqConfig dnsmasq = net::dnsmasq_config_from(network.name, network.name, core_.networks_dir() / network.name, network.config);
    if (net::dnsmasq_wanted(dnsmasq))
        core_.dnsmasq().start(dnsmasq);  // restarts a running one with the new config
    else
        core_.dnsmasq().stop(network.name);
}

void BridgeDriver::stop_services(const NetworkRecord& network) {
    core_.dnsmasq().stop(network.name);
    net::remove_network_table(network.name);
}

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
    revert.add([&] { stop_services(network); });
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
    start_services(next);  // replaces the table and restarts dnsmasq with the new config
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
    // The network's files (leases, static hosts) go with it.
    std::error_code ec;
    if (std::filesystem::exists(core_.networks_dir() / network.name, ec))
        std::filesystem::rename(core_.networks_dir() / network.name, core_.networks_dir() / new_name);
    if (up) netlink::set_up(new_name, true);
    // Addresses go with the link; taking it down dropped IPv6 ones, so apply them again.
    apply_config(new_name, renamed.config);
    start_services(renamed);
}

void BridgeDriver::remove(const NetworkRecord& network) {
    stop_services(network);
    if (netlink::find_link(network.name)) netlink::delete_link(network.name);
    std::error_code ec;
    std::filesystem::remove_all(core_.networks_dir() / network.name, ec);
}

api::NetworkState BridgeDriver::state(const NetworkRecord& network) { return link_state(network.name); }

std::vector<api::NetworkLease> BridgeDriver::leases(const NetworkRecord& network) {
    return net::read_leases(core_.networks_dir() / network.name);
}

NicPlan BridgeDriver::prepare_nic(const NetworkRecord& network, const Config& /*nic*/) {
    if (!netlink::find_link(network.name)) start(network);  // e.g. deleted by hand: bring it back
    return NicPlan{"bridged", network.name, value(network.config, "bridge.mtu")};
}

void BridgeDriver::release_nic(const NetworkRecord& /*network*/, const Config& /*nic*/) {
    // Static DHCP reservations (nic ipv4.address) are not written yet: nothing to drop.
}

}  // namespace li
