#include "network/link_state.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <net/if.h>

#include "libinstance/error.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {
std::string sysfs(const std::string& name, const std::string& file) {
    std::ifstream in(fs::path("/sys/class/net") / name / file);
    std::string out;
    std::getline(in, out);
    return out;
}

uint64_t sysfs_u64(const std::string& name, const std::string& file) {
    try {
        return std::stoull(sysfs(name, file));
    } catch (const std::exception&) {
        return 0;
    }
}
}  // namespace

std::string link_type(const netlink::Link& link) {
    if (link.loopback) return "loopback";
    if (link.kind.empty()) return "physical";
    if (link.kind == "veth" || link.kind == "dummy" || link.kind == "macvlan") return link.kind == "dummy" ? "physical" : link.kind;
    return link.kind;  // bridge, bond, vlan, ...
}

bool bridge_has_ports(const std::string& bridge) {
    auto link = netlink::find_link(bridge);
    if (!link) return false;
    auto all = netlink::links();
    return std::any_of(all.begin(), all.end(), [&](const netlink::Link& l) { return l.master == link->index; });
}

api::NetworkState link_state(const std::string& name) {
    auto link = netlink::find_link(name);
    if (!link) throw Error(ErrorCode::NotFound, fmt::format("network interface \"{}\" not found", name), "name");
    api::NetworkState s;
    for (const auto& a : netlink::addresses()) {
        if (a.index != link->index) continue;
        s.addresses.push_back({a.cidr.family == 4 ? "inet" : "inet6", a.cidr.address(), std::to_string(a.cidr.prefix), a.scope});
    }
    s.counters.bytes_received = static_cast<int64_t>(link->stats.rx_bytes);
    s.counters.bytes_sent = static_cast<int64_t>(link->stats.tx_bytes);
    s.counters.packets_received = static_cast<int64_t>(link->stats.rx_packets);
    s.counters.packets_sent = static_cast<int64_t>(link->stats.tx_packets);
    s.hwaddr = link->hwaddr;
    s.mtu = link->mtu;
    s.state = (link->flags & IFF_UP) ? "up" : "down";
    s.type = link->loopback ? "loopback" : (link->flags & IFF_POINTOPOINT) ? "point-to-point" : "broadcast";
    if (link->kind == "bridge") {
        s.has_bridge = true;
        s.bridge.id = sysfs(name, "bridge/bridge_id");
        s.bridge.stp = sysfs_u64(name, "bridge/stp_state") != 0;
        s.bridge.forward_delay = sysfs_u64(name, "bridge/forward_delay");
        s.bridge.vlan_default = sysfs_u64(name, "bridge/default_pvid");
        s.bridge.vlan_filtering = sysfs_u64(name, "bridge/vlan_filtering") != 0;
        for (const auto& port : netlink::links())
            if (port.master == link->index) s.bridge.upper_devices.push_back(port.name);
        std::sort(s.bridge.upper_devices.begin(), s.bridge.upper_devices.end());
    }
    return s;
}

}  // namespace li
