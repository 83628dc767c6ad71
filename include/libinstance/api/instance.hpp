#pragma once
// LXD REST schema types for instances (api.InstancesPost, api.Instance, api.InstanceState).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace li::api {

using ConfigMap = std::map<std::string, std::string>;
using DeviceMap = std::map<std::string, ConfigMap>;

/// LXD's api.InstanceSource: type "image" (alias or fingerprint, optionally from a server) or
/// "copy" (source: the local instance to copy, from project when set).
struct InstanceSource {
    std::string type = "image";
    std::string alias;
    std::string fingerprint;
    std::string source;          ///< type "copy": the instance copied, or "instance/snapshot" for a snapshot
    std::string project;         ///< type "copy": the source's project ("" = the target's)
    bool instance_only = false;  ///< type "copy": leave snapshots behind (they are copied along otherwise)
    /// An image server's URL or a remote's name: the image is pulled from it when not local.
    std::string server;
    std::string protocol;     ///< "simplestreams" (the default) when server is set
    std::string certificate;  ///< PEM to trust for server
};

/// LXD's api.InstancesPost: what creating an instance takes.
struct InstancesPost {
    std::string name;
    std::string type = "container";
    InstanceSource source;
    ConfigMap config;
    DeviceMap devices;
    std::optional<std::vector<std::string>> profiles;  // unset: ["default"]
    bool ephemeral = false;
    std::string description;
    bool start = false;  // not in LXD's body: create then start (lxc launch)
};

/// LXD's api.InstancePut: what replacing an instance's configuration takes (PUT); PATCH-like
/// changes are read-modify-write of it (Instance::info() → put_of() → change → Instance::update()).
struct InstancePut {
    std::string architecture;  ///< must stay the instance's ("" keeps it)
    ConfigMap config;
    DeviceMap devices;
    std::vector<std::string> profiles;
    bool ephemeral = false;
    std::string description;
};

/// LXD's api.InstanceStateMemory (bytes).
struct InstanceStateMemory {
    int64_t usage = 0;
    int64_t usage_peak = 0;
    int64_t swap_usage = 0;
    int64_t swap_usage_peak = 0;
};

/// LXD's api.InstanceStateCPU.
struct InstanceStateCPU {
    int64_t usage = 0;  ///< CPU time used, in nanoseconds
};

/// LXD's api.InstanceStateDisk: bytes used on one disk device (the root volume).
struct InstanceStateDisk {
    int64_t usage = 0;
};

/// LXD's api.InstanceStateNetworkAddress.
struct InstanceStateNetworkAddress {
    std::string family;   ///< "inet" or "inet6"
    std::string address;
    std::string netmask;  ///< prefix length, e.g. "24"
    std::string scope;    ///< "global", "link", "local"
};

/// LXD's api.InstanceStateNetworkCounters.
struct InstanceStateNetworkCounters {
    int64_t bytes_received = 0;
    int64_t bytes_sent = 0;
    int64_t packets_received = 0;
    int64_t packets_sent = 0;
    int64_t errors_received = 0;
    int64_t errors_sent = 0;
    int64_t packets_dropped_outbound = 0;
    int64_t packets_dropped_inbound = 0;
};

/// LXD's api.InstanceStateNetwork: one interface as seen inside the instance.
struct InstanceStateNetwork {
    std::vector<InstanceStateNetworkAddress> addresses;
    InstanceStateNetworkCounters counters;
    std::string hwaddr;
    std::string host_name;  ///< the host side of a veth pair, when known
    int64_t mtu = 0;
    std::string state;      ///< "up" or "down"
    std::string type;       ///< "broadcast", "loopback", "point-to-point"
};

/// LXD's api.InstanceState.
struct InstanceState {
    std::string status = "Stopped";
    int status_code = 102;
    int64_t pid = 0;
    int64_t processes = 0;
    InstanceStateMemory memory;
    InstanceStateCPU cpu;
    std::map<std::string, InstanceStateDisk> disk;        ///< by device name ("root")
    std::map<std::string, InstanceStateNetwork> network;  ///< by interface name; empty when stopped
    /// A running VM's accelerator, "kvm" or "tcg" (libinstance's addition; "" for containers).
    std::string accelerator;
};

/// LXD's api.Instance.
struct Instance {
    std::string name;
    std::string description;
    std::string type = "container";
    std::string architecture;
    ConfigMap config;
    DeviceMap devices;
    ConfigMap expanded_config;
    DeviceMap expanded_devices;
    std::vector<std::string> profiles;
    bool ephemeral = false;
    bool stateful = false;
    std::string status = "Stopped";
    int status_code = 102;
    std::string created_at;
    std::string last_used_at;
    std::string location = "none";
    std::string project = "default";
    std::optional<InstanceState> state;  // set when asked for (recursion=2)
};

/// Parses an InstancesPost document; bad fields raise InvalidArgument naming the field.
InstancesPost instances_post_from_json(std::string_view json);
std::string to_json(const InstancesPost& post);
/// Parses an InstancePut document; bad fields raise InvalidArgument naming the field. Absent
/// fields are empty (as in LXD's PUT, which replaces the whole configuration).
InstancePut instance_put_from_json(std::string_view json);
std::string to_json(const InstancePut& put);
std::string to_json(const Instance& instance);
std::string to_json(const std::vector<Instance>& instances);
std::string to_json(const InstanceState& state);

/// The writable part of an instance (what a PUT would send back unchanged).
InstancePut put_of(const Instance& instance);

/// LXD status names and codes.
std::string_view status_name(int status_code);

}  // namespace li::api
