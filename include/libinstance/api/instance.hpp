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

/// LXD's api.InstanceSource (only type "image" and "none" for now).
struct InstanceSource {
    std::string type = "image";
    std::string alias;
    std::string fingerprint;
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

/// LXD's api.InstanceStateMemory (bytes).
struct InstanceStateMemory {
    int64_t usage = 0;
    int64_t usage_peak = 0;
};

/// LXD's api.InstanceState.
struct InstanceState {
    std::string status = "Stopped";
    int status_code = 102;
    int64_t pid = 0;
    int64_t processes = 0;
    InstanceStateMemory memory;
    int64_t cpu_usage_ns = 0;
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
std::string to_json(const Instance& instance);
std::string to_json(const std::vector<Instance>& instances);
std::string to_json(const InstanceState& state);

/// LXD status names and codes.
std::string_view status_name(int status_code);

}  // namespace li::api
