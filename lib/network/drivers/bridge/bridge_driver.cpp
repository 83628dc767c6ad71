#include "network/drivers/bridge/bridge_driver.hpp"

#include <filesystem>
#include <mutex>
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
#include "network/ipv4_allocation.hpp"
#include "network/nftables.hpp"
#include "sys/sha256.hpp"
#include "network/tunnels.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

using Config = std::map<std::string, std::string>;

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

// As LXD: without bridge.hwaddr the bridge still gets a MAC of its own that stays the same across
// restarts (a port-less bridge would otherwise have none, and one taken from a port changes).
std::string stable_hwaddr(const std::string& bridge) {
    Sha256 h;
    h.update("libinstance bridge " + bridge);
    std::string hex = h.hex_digest();
    return fmt::format("00:16:3e:{}:{}:{}", hex.substr(0, 2), hex.substr(2, 2), hex.substr(4, 2));
}

// MTU, MAC address and addresses of a running bridge as the config says, then up.
void apply_config(const std::string& bridge, const Config& config) {
    std::string mtu = value(config, "bridge.mtu");
    netlink::set_mtu(bridge, mtu.empty() ? default_bridge_mtu(config) : static_cast<uint32_t>(std::stoul(mtu)));
    std::string hwaddr = value(config, "bridge.hwaddr");
    netlink::set_hwaddr(bridge, hwaddr.empty() ? stable_hwaddr(bridge) : hwaddr);
    netlink::set_up(bridge, true);
    apply_address(bridge, config, 4);
    apply_address(bridge, config, 6);
    apply_tunnels(bridge, config);  // last: they take the bridge's MTU
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

void BridgeDriver::start_services(const NetworkRecord& network, bool with_dnsmasq) {
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

    if (with_dnsmasq) start_dnsmasq(network);
}

void BridgeDriver::start_dnsmasq(const NetworkRecord& network) {
    // One start at a time per process: two containers starting on one network both ensure it.
    static std::mutex starting;
    std::lock_guard lock(starting);
    net::DnsmasqConfig dnsmasq = net::dnsmasq_config_from(network.name, network.name, core_.networks_dir() / network.name, network.config);
    if (net::dnsmasq_wanted(dnsmasq))
        core_.dnsmasq().start(dnsmasq);  // restarts a running one with a new config, adopts a detached one
    else
        core_.dnsmasq().stop(network.name);
}

void BridgeDriver::stop_services(const NetworkRecord& network) {
    core_.dnsmasq().stop(network.name);
    net::remove_network_table(network.name);
}

Config BridgeDriver::validate(const std::string& name, const Config& config, const NetworkContext& context) {
    check_tunnel_names(name, config);
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
    start_services(network, dnsmasq_needed_now(network));
}

void BridgeDriver::resume(const NetworkRecord& network) {
    if (!netlink::find_link(network.name)) return start(network);
    if (dnsmasq_needed_now(network)) start_dnsmasq(network);  // adopts the one running
}

// dnsmasq at open only where something is on the bridge or one was left running (adopted);
// otherwise the first nic starts it, so opening a state directory stays fast.
bool BridgeDriver::dnsmasq_needed_now(const NetworkRecord& network) const {
    std::error_code ec;
    return bridge_has_ports(network.name) || fs::exists(core_.networks_dir() / network.name / "dnsmasq.pid", ec);
}

void BridgeDriver::stop(const NetworkRecord& network) { stop_services(network); }

void BridgeDriver::update(const NetworkRecord& current, const NetworkRecord& next) {
    if (!netlink::find_link(current.name)) netlink::create_bridge(current.name);
    apply_config(current.name, next.config);
    start_services(next);  // replaces the table and restarts dnsmasq with the new config
}

void BridgeDriver::rename(const NetworkRecord& network, const std::string& new_name) {
    check_tunnel_names(new_name, network.config);
    stop_services(network);
    remove_tunnels(network.name, network.config);  // named after the old name; apply_config makes them again
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
    if (fs::exists(core_.networks_dir() / network.name, ec))
        std::filesystem::rename(core_.networks_dir() / network.name, core_.networks_dir() / new_name);
    if (up) netlink::set_up(new_name, true);
    // Addresses go with the link; taking it down dropped IPv6 ones, so apply them again.
    apply_config(new_name, renamed.config);
    start_services(renamed);
}

void BridgeDriver::remove(const NetworkRecord& network) {
    stop_services(network);
    remove_tunnels(network.name, network.config);
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
    // The nics follow the bridge's MTU (1400 with tunnels), as LXD's do.
    std::string mtu = value(network.config, "bridge.mtu");
    if (mtu.empty() && !tunnel_names(network.config).empty()) mtu = std::to_string(default_bridge_mtu(network.config));
    return NicPlan{"bridged", network.name, mtu};
}

void BridgeDriver::start_nic(const NetworkRecord& network, const NicUse& nic) {
    std::string ipv4 = value(nic.config, "ipv4.address");
    std::string ipv6 = value(nic.config, "ipv6.address");
    check_nic_address(network, nic, "ipv4.address", ipv4);
    check_nic_address(network, nic, "ipv6.address", ipv6);
    bool ipv4_filtering = truthy(nic.config, "security.ipv4_filtering", false);
    // As LXD: filtering needs a fixed address; without one the nic gets one reserved (its
    // current lease's when it has one), which its DHCP client is then given.
    if (ipv4_filtering && ipv4.empty()) {
        auto subnet = bridge_address(network.config, "ipv4.address");
        if (!subnet)
            throw Error::invalid(fmt::format("devices.{}.security.ipv4_filtering", nic.device),
                                 fmt::format("device \"{}\": network \"{}\" has no IPv4 subnet to filter on", nic.device, network.name));
        auto taken = leases(network);
        std::string own_name = nic.project == "default" ? nic.instance : nic.instance + "." + nic.project;
        std::erase_if(taken, [&](const api::NetworkLease& l) { return l.hostname == own_name && l.type == "static"; });
        ipv4 = net::allocate_ipv4(network.name, *subnet, value(network.config, "ipv4.dhcp.ranges"), taken, nic.hwaddr);
    }

    // The nic's DHCP host entry: its reserved addresses and, with dns.mode=managed, the
    // instance's name for the lease, so NAME.<dns.domain> resolves on the network.
    std::string dns_mode = value(network.config, "dns.mode");
    net::StaticHost host{nic.instance, nic.device, nic.hwaddr, ipv4, ipv6, dns_mode.empty() || dns_mode == "managed", nic.project};
    net::set_static_host(hosts_dir(network), host);
    if (core_.dnsmasq().running(network.name))
        core_.dnsmasq().reload(network.name);
    else
        start_dnsmasq(network);

    if (nic.host_name.empty()) return;
    net::NicFilter filter;
    filter.bridge = network.name;
    filter.host_name = nic.host_name;
    filter.hwaddr = nic.hwaddr;
    filter.ipv4_filtering = ipv4_filtering;
    filter.ipv6_filtering = truthy(nic.config, "security.ipv6_filtering", false);
    // As LXD: address filtering implies MAC filtering.
    filter.mac_filtering = truthy(nic.config, "security.mac_filtering", false) || filter.ipv4_filtering || filter.ipv6_filtering;
    if (filter.ipv6_filtering && ipv6.empty())
        throw Error::invalid(fmt::format("devices.{}.security.ipv6_filtering", nic.device),
                             fmt::format("device \"{}\": security.ipv6_filtering needs a static ipv6.address on network \"{}\"",
                                         nic.device, network.name));
    if (!ipv4.empty()) filter.ipv4_addresses = {ipv4};
    if (!ipv6.empty()) filter.ipv6_addresses = {ipv6};
    net::apply_nic_filter(filter);  // no table at all when nothing is on
}

void BridgeDriver::release_nic(const NetworkRecord& network, const NicUse& nic) {
    net::remove_static_host(hosts_dir(network), nic.instance, nic.device, nic.project);
    core_.dnsmasq().reload(network.name);
    if (!nic.host_name.empty()) net::remove_nic_filter(nic.host_name);
}

fs::path BridgeDriver::hosts_dir(const NetworkRecord& network) const {
    return core_.networks_dir() / network.name / "dnsmasq.hosts";
}

// A reserved address must lie in the network's subnet and be neither the bridge's own address
// nor the subnet's network or broadcast address.
void BridgeDriver::check_nic_address(const NetworkRecord& network, const NicUse& nic, const std::string& key,
                                     const std::string& address) const {
    if (address.empty()) return;
    std::string field = fmt::format("devices.{}.{}", nic.device, key);
    auto subnet = bridge_address(network.config, key);
    if (!subnet)
        throw Error::invalid(field, fmt::format("device \"{}\": network \"{}\" has no {} subnet for {}", nic.device,
                                                network.name, key.substr(0, 4), address));
    auto wanted = net::parse_cidr(address + "/" + std::to_string(subnet->prefix));
    if (!wanted || wanted->network().text() != subnet->network().text() || wanted->is_network_or_broadcast() ||
        wanted->bytes == subnet->bytes)
        throw Error::invalid(field, fmt::format("device \"{}\": {} is not a free host address of network \"{}\" ({})",
                                                nic.device, address, network.name, subnet->network().text()));
}

}  // namespace li
