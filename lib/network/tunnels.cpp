#include "network/tunnels.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <net/if.h>
#include <set>

#include "core/log.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "network/netlink.hpp"

namespace li {

namespace {

using Config = std::map<std::string, std::string>;

// LXD's defaults for a VXLAN tunnel without them, and its multicast group.
constexpr uint32_t kDefaultVxlanId = 1;
constexpr uint8_t kDefaultVxlanTtl = 1;
constexpr const char* kDefaultVxlanGroup = "239.0.0.1";
constexpr uint32_t kTunnelBridgeMtu = 1400;
constexpr uint32_t kPlainBridgeMtu = 1500;

const char* const kTunnelKinds[] = {"vxlan", "gretap", "ip6gretap"};

std::string field(const Config& config, const std::string& tunnel, const std::string& name) {
    auto it = config.find("tunnel." + tunnel + "." + name);
    return it == config.end() ? std::string() : it->second;
}

std::string key_of(const std::string& tunnel, const std::string& name) { return "config.tunnel." + tunnel + "." + name; }

bool is_tunnel_kind(const std::string& kind) {
    return std::find(std::begin(kTunnelKinds), std::end(kTunnelKinds), kind) != std::end(kTunnelKinds);
}

// The tunnel interfaces of the bridge on the host: <bridge>-* of a tunnel kind that are its
// ports or nobody's (a port whose bridge went, or one made before a failure).
std::vector<std::string> existing_tunnels(const std::string& bridge) {
    auto links = netlink::links();
    int bridge_index = 0;
    for (const auto& l : links)
        if (l.name == bridge) bridge_index = l.index;
    std::vector<std::string> out;
    std::string prefix = bridge + "-";
    for (const auto& l : links)
        if (l.name.rfind(prefix, 0) == 0 && is_tunnel_kind(l.kind) && (l.master == 0 || l.master == bridge_index))
            out.push_back(l.name);
    return out;
}

void delete_quietly(const std::string& name) {
    try {
        if (netlink::find_link(name)) netlink::delete_link(name);
    } catch (const std::exception& e) {
        log::warn("removing a tunnel interface", {{"interface", name}, {"error", e.what()}});
    }
}

// The interface of the host's IPv4 default route (LXD's underlay for a multicast VXLAN
// without tunnel.NAME.interface).
std::string default_route_device(const std::string& tunnel) {
    for (const auto& r : netlink::routes(4)) {
        if (r.dst.prefix != 0 || r.index == 0) continue;
        char name[IF_NAMESIZE] = {};
        if (::if_indextoname(static_cast<unsigned>(r.index), name)) return name;
    }
    throw Error(ErrorCode::NotFound,
                fmt::format("tunnel \"{}\": a multicast VXLAN needs tunnel.{}.interface (or remote and local), and there is no IPv4 default route",
                            tunnel, tunnel),
                key_of(tunnel, "interface"));
}

// Makes tunnel `tunnel` of the config as interface `name`; false for a partial group (skipped).
bool make_tunnel(const std::string& name, const std::string& tunnel, const Config& config) {
    std::string protocol = field(config, tunnel, "protocol");
    std::string local = field(config, tunnel, "local");
    std::string remote = field(config, tunnel, "remote");
    std::string ttl = field(config, tunnel, "ttl");
    if (protocol == "gre") {
        if (local.empty() || remote.empty()) return false;
        netlink::GretapSpec spec{name, local, remote, static_cast<uint8_t>(ttl.empty() ? 0 : std::stoul(ttl))};
        netlink::create_gretap(spec);
        return true;
    }
    if (protocol != "vxlan") return false;
    netlink::VxlanSpec spec;
    spec.name = name;
    if (!local.empty() && !remote.empty()) {
        spec.local = local;
        spec.remote = remote;
    } else {
        std::string group = field(config, tunnel, "group");
        spec.group = group.empty() ? kDefaultVxlanGroup : group;
        std::string device = field(config, tunnel, "interface");
        spec.device = device.empty() ? default_route_device(tunnel) : device;
        if (!netlink::find_link(spec.device))
            throw Error(ErrorCode::NotFound, fmt::format("tunnel \"{}\": interface \"{}\" does not exist", tunnel, spec.device),
                        key_of(tunnel, "interface"));
    }
    std::string id = field(config, tunnel, "id");
    std::string port = field(config, tunnel, "port");
    spec.id = id.empty() ? kDefaultVxlanId : static_cast<uint32_t>(std::stoul(id));
    spec.port = port.empty() ? 0 : static_cast<uint16_t>(std::stoul(port));  // 0: the kernel's 8472, as LXD
    spec.ttl = ttl.empty() ? kDefaultVxlanTtl : static_cast<uint8_t>(std::stoul(ttl));
    netlink::create_vxlan(spec);
    return true;
}

}  // namespace

std::vector<std::string> tunnel_names(const Config& config) {
    std::set<std::string> names;
    for (const auto& [key, value] : config) {
        if (key.rfind("tunnel.", 0) != 0) continue;
        auto last = key.rfind('.');
        if (last > 7) names.insert(key.substr(7, last - 7));
    }
    return {names.begin(), names.end()};
}

std::string tunnel_interface(const std::string& bridge, const std::string& name) { return bridge + "-" + name; }

uint32_t default_bridge_mtu(const Config& config) { return tunnel_names(config).empty() ? kPlainBridgeMtu : kTunnelBridgeMtu; }

void apply_tunnels(const std::string& bridge, const Config& config) {
    // Made again each time, as LXD does: the kernel cannot change a VXLAN's id or peer in place.
    for (const auto& name : existing_tunnels(bridge)) netlink::delete_link(name);
    auto link = netlink::find_link(bridge);
    if (!link) return;
    Reverter revert;
    for (const auto& tunnel : tunnel_names(config)) {
        std::string name = tunnel_interface(bridge, tunnel);
        try {
            if (!make_tunnel(name, tunnel, config)) continue;
            revert.add([name] { delete_quietly(name); });
            netlink::set_master(name, bridge);
            netlink::set_mtu(name, link->mtu);
            netlink::set_up(name, true);
        } catch (const Error& e) {
            if (e.key().rfind("config.", 0) == 0) throw;
            // A malformed address names its field; anything else (a name taken by another
            // interface, an unsupported kernel) names the group's protocol.
            std::string key = e.key() == "local" || e.key() == "remote" || e.key() == "group" ? key_of(tunnel, e.key())
                                                                                              : key_of(tunnel, "protocol");
            ErrorCode code = e.sys_errno() == EEXIST ? ErrorCode::AlreadyExists : e.code();
            throw Error(code, fmt::format("tunnel \"{}\" of network \"{}\" (interface {}): {}", tunnel, bridge, name, e.what()), key,
                        e.sys_errno());
        }
    }
    revert.success();
}

void remove_tunnels(const std::string& bridge, const Config& config) {
    std::set<std::string> names;
    for (const auto& tunnel : tunnel_names(config)) names.insert(tunnel_interface(bridge, tunnel));
    for (const auto& name : existing_tunnels(bridge)) names.insert(name);
    for (const auto& name : names) {
        auto link = netlink::find_link(name);
        if (link && is_tunnel_kind(link->kind)) delete_quietly(name);
    }
}

}  // namespace li
