#include "network/parent_network.hpp"

#include <charconv>
#include <fmt/format.h>
#include <net/if.h>

#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "network/link_state.hpp"
#include "network/netlink.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

using Config = std::map<std::string, std::string>;

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& why) {
    throw Error::invalid("config." + key, fmt::format("invalid value \"{}\" for network config key \"{}\": {}", value, key, why));
}

bool uint_in(const std::string& v, uint64_t lo, uint64_t hi) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    return !v.empty() && ec == std::errc() && end == v.data() + v.size() && n >= lo && n <= hi;
}

bool is_bool(const std::string& v) {
    for (const char* ok : {"true", "false", "1", "0", "yes", "no", "on", "off"})
        if (v == ok) return true;
    return false;
}

bool truthy(const std::string& v) { return v == "true" || v == "1" || v == "yes" || v == "on"; }

bool is_interface_name(const std::string& v) {
    if (v.empty() || v.size() >= IFNAMSIZ || v == "." || v == "..") return false;
    for (char c : v)
        if (c == '/' || c == ':' || static_cast<unsigned char>(c) <= ' ') return false;
    return true;
}

std::string value(const Config& c, const std::string& key) {
    auto it = c.find(key);
    return it == c.end() ? std::string() : it->second;
}

void check_key(const std::string& key, const std::string& v) {
    if (key == "parent") {
        if (!is_interface_name(v)) bad(key, v, "expected the name of a host interface");
    } else if (key == "mtu") {
        if (!uint_in(v, 68, 65535)) bad(key, v, "expected an MTU from 68 to 65535");
    } else if (key == "vlan") {
        if (!uint_in(v, 0, 4094)) bad(key, v, "expected a VLAN id from 0 to 4094");
    } else if (key == "gvrp") {
        if (!is_bool(v)) bad(key, v, "expected true or false");
    } else if (key.rfind("user.", 0) != 0) {
        throw Error::invalid("config." + key, fmt::format("unknown network config key \"{}\"", key));
    }
}

void check_parent_exists(const std::string& parent) {
    if (!netlink::find_link(parent))
        throw Error(ErrorCode::NotFound, fmt::format("parent interface \"{}\" does not exist on the host", parent), "config.parent");
}

}  // namespace

Config ParentNetworkDriver::validate(const std::string& name, const Config& config, const NetworkContext& context) {
    for (const auto& [key, v] : config) check_key(key, v);
    std::string parent = value(config, "parent");
    if (parent.empty())
        throw Error::invalid("config.parent", fmt::format("a {} network needs config.parent, the host interface it uses", nictype_));
    if (parent == name)
        throw Error::invalid("config.parent", fmt::format("network \"{}\" cannot be its own parent", name));
    std::string vlan = value(config, "vlan");
    if (!vlan.empty() && parent.size() + 1 + vlan.size() >= IFNAMSIZ)
        bad("vlan", vlan, fmt::format("the VLAN interface \"{}.{}\" would be longer than {} characters", parent, vlan, IFNAMSIZ - 1));
    // An unchanged parent may be away: a physical network's is inside the instance using it.
    if (context.creating || value(context.current, "parent") != parent) check_parent_exists(parent);
    return config;
}

void ParentNetworkDriver::create(const NetworkRecord& network) { check_parent_exists(value(network.config, "parent")); }

void ParentNetworkDriver::start(const NetworkRecord& network) {
    if (!parent_lent(network)) check_parent_exists(value(network.config, "parent"));
}

void ParentNetworkDriver::rename(const NetworkRecord& network, const std::string& new_name) {
    std::error_code ec;
    if (fs::exists(network_dir(network.name), ec)) fs::rename(network_dir(network.name), network_dir(new_name));
}

void ParentNetworkDriver::remove(const NetworkRecord& network) {
    std::error_code ec;
    fs::remove_all(network_dir(network.name), ec);
}

api::NetworkState ParentNetworkDriver::state(const NetworkRecord& network) {
    try {
        return link_state(value(network.config, "parent"));
    } catch (const Error& e) {
        throw Error(e.code(), fmt::format("network \"{}\": {}", network.name, e.what()), "config.parent");
    }
}

NicPlan ParentNetworkDriver::prepare_nic(const NetworkRecord& network, const Config& /*nic*/) {
    std::string parent = value(network.config, "parent");
    std::string nic_on = nic_parent(network);
    // As LXD: the VLAN interface is made on first use (and the parent brought up for it).
    if (nic_on != parent && !netlink::find_link(nic_on) && netlink::find_link(parent)) {
        netlink::create_vlan(nic_on, parent, static_cast<uint16_t>(std::stoul(value(network.config, "vlan"))),
                             truthy(value(network.config, "gvrp")));
        netlink::set_up(parent, true);
        netlink::set_up(nic_on, true);
    }
    return NicPlan{nictype_, nic_on, value(network.config, "mtu")};
}

std::string ParentNetworkDriver::nic_parent(const NetworkRecord& network) {
    std::string parent = value(network.config, "parent");
    std::string vlan = value(network.config, "vlan");
    return vlan.empty() ? parent : parent + "." + vlan;
}

fs::path ParentNetworkDriver::network_dir(const std::string& name) const { return core_.networks_dir() / name; }

}  // namespace li
