#pragma once
// LXD REST schema types for networks (api.NetworksPost, api.NetworkPut, api.NetworkPost,
// api.Network, api.NetworkState, api.NetworkLease).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace li::api {

/// LXD's api.NetworksPost: what creating a managed network takes.
struct NetworksPost {
    std::string name;
    std::string description;
    std::string type = "bridge";                ///< "bridge", "macvlan" or "physical"
    std::map<std::string, std::string> config;  ///< LXD's keys, e.g. ipv4.address, ipv4.nat
};

/// LXD's api.NetworkPut: a network's writable fields (PUT replaces them all).
struct NetworkPut {
    std::string description;
    std::map<std::string, std::string> config;
};

/// LXD's api.NetworkPost: renaming a network.
struct NetworkPost {
    std::string name;
};

/// LXD's api.Network. Host interfaces that libinstance does not manage are listed too, with
/// managed false, as LXD lists them.
struct Network {
    std::string name;
    std::string description;
    std::string type;                           ///< "bridge", "macvlan", "physical"; host: "loopback", "physical", "bridge", ...
    bool managed = false;
    std::string status;                         ///< "Created" or "Errored" for managed ones, "" otherwise
    std::map<std::string, std::string> config;  ///< with the generated values (e.g. the chosen ipv4.address)
    std::vector<std::string> used_by;           ///< API URLs of instances and profiles using it
    std::vector<std::string> locations{"none"};
};

/// One address of LXD's api.NetworkStateAddress.
struct NetworkStateAddress {
    std::string family;   ///< "inet" or "inet6"
    std::string address;  ///< without prefix
    std::string netmask;  ///< prefix length as a string ("24")
    std::string scope;    ///< "global", "link", "local"
};

/// LXD's api.NetworkStateCounters.
struct NetworkStateCounters {
    int64_t bytes_received = 0;
    int64_t bytes_sent = 0;
    int64_t packets_received = 0;
    int64_t packets_sent = 0;
};

/// LXD's api.NetworkStateBridge.
struct NetworkStateBridge {
    std::string id;
    bool stp = false;
    uint64_t forward_delay = 0;
    uint64_t vlan_default = 0;
    bool vlan_filtering = false;
    std::vector<std::string> upper_devices;  ///< interfaces attached to the bridge
};

/// LXD's api.NetworkState.
struct NetworkState {
    std::vector<NetworkStateAddress> addresses;
    NetworkStateCounters counters;
    std::string hwaddr;
    int64_t mtu = 0;
    std::string state;  ///< "up" or "down"
    std::string type;   ///< "broadcast", "loopback", "point-to-point"
    bool has_bridge = false;
    NetworkStateBridge bridge;  ///< when has_bridge ("bridge" in the JSON, null otherwise)
};

/// LXD's api.NetworkLease: one DHCP lease or static reservation on a managed bridge.
struct NetworkLease {
    std::string hostname;  ///< the instance name for instances' NICs
    std::string hwaddr;
    std::string address;
    std::string type;      ///< "static" or "dynamic"
    std::string location = "none";
};

/// Parsers raise InvalidArgument naming the field.
NetworksPost networks_post_from_json(std::string_view json);
/// A whole Network is accepted; fields other than description and config are ignored.
NetworkPut network_put_from_json(std::string_view json);
NetworkPost network_post_from_json(std::string_view json);
std::string to_json(const NetworksPost& post);
std::string to_json(const NetworkPut& put);
std::string to_json(const Network& network);
std::string to_json(const std::vector<Network>& networks);
std::string to_json(const NetworkState& state);
std::string to_json(const std::vector<NetworkLease>& leases);
/// The writable fields of a network (what a GET then PUT sends back).
NetworkPut put_of(const Network& network);

}  // namespace li::api
