// Networks: JSON <-> api.NetworksPost, api.NetworkPut, api.NetworkPost, api.Network,
// api.NetworkState and api.NetworkLease, with LXD's field names.
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/network.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {
json network_to_json(const Network& n) {
    return json{{"name", n.name},       {"description", n.description}, {"type", n.type},
                {"managed", n.managed}, {"status", n.status},           {"config", n.config},
                {"used_by", n.used_by}, {"locations", n.locations}};
}

json bridge_to_json(const NetworkStateBridge& b) {
    return json{{"id", b.id},
                {"stp", b.stp},
                {"forward_delay", b.forward_delay},
                {"vlan_default", b.vlan_default},
                {"vlan_filtering", b.vlan_filtering},
                {"upper_devices", b.upper_devices}};
}
}  // namespace

NetworksPost networks_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "network definition");
    NetworksPost post;
    post.name = jf::get_string(body, "name", "name");
    post.description = jf::get_string(body, "description", "description");
    std::string type = jf::get_string(body, "type", "type");
    if (!type.empty()) post.type = type;  // LXD's default is bridge
    post.config = jf::get_string_map(body, "config", "config");
    return post;
}

NetworkPut network_put_from_json(std::string_view text) {
    json body = jf::parse_object(text, "network definition");
    NetworkPut put;
    put.description = jf::get_string(body, "description", "description");
    put.config = jf::get_string_map(body, "config", "config");
    return put;
}

NetworkPost network_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "network rename");
    NetworkPost post;
    post.name = jf::get_string(body, "name", "name");
    return post;
}

std::string to_json(const NetworksPost& p) {
    return json{{"name", p.name}, {"description", p.description}, {"type", p.type}, {"config", p.config}}.dump();
}

std::string to_json(const NetworkPut& p) { return json{{"description", p.description}, {"config", p.config}}.dump(); }

std::string to_json(const Network& network) { return network_to_json(network).dump(); }

std::string to_json(const std::vector<Network>& networks) {
    json out = json::array();
    for (const auto& n : networks) out.push_back(network_to_json(n));
    return out.dump();
}

std::string to_json(const NetworkState& s) {
    json addresses = json::array();
    for (const auto& a : s.addresses)
        addresses.push_back(json{{"family", a.family}, {"address", a.address}, {"netmask", a.netmask}, {"scope", a.scope}});
    return json{{"addresses", addresses},
                {"counters",
                 {{"bytes_received", s.counters.bytes_received},
                  {"bytes_sent", s.counters.bytes_sent},
                  {"packets_received", s.counters.packets_received},
                  {"packets_sent", s.counters.packets_sent}}},
                {"hwaddr", s.hwaddr},
                {"mtu", s.mtu},
                {"state", s.state},
                {"type", s.type},
                {"bond", nullptr},
                {"bridge", s.has_bridge ? bridge_to_json(s.bridge) : json(nullptr)},
                {"vlan", nullptr}}
        .dump();
}

std::string to_json(const std::vector<NetworkLease>& leases) {
    json out = json::array();
    for (const auto& l : leases)
        out.push_back(json{{"hostname", l.hostname}, {"hwaddr", l.hwaddr}, {"address", l.address}, {"type", l.type}, {"location", l.location}});
    return out.dump();
}

NetworkPut put_of(const Network& n) { return NetworkPut{n.description, n.config}; }

}  // namespace li::api
