// Manager::init: the first-use set-up of LXD's `lxd init --auto` — a NATed managed bridge and
// the default profile's eth0 on it (the default pool and profile exist from the first open).
#include "core/manager_core.hpp"
#include "libinstance/manager.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

namespace {

// The network's config from the options, with the option names (not config keys) in errors.
std::map<std::string, std::string> network_config(const InitOptions& opts) {
    std::map<std::string, std::string> config;
    for (auto [option, key, value] : {std::tuple{"ipv4_address", "ipv4.address", &opts.ipv4_address},
                                      std::tuple{"ipv6_address", "ipv6.address", &opts.ipv6_address}}) {
        if (value->empty()) throw Error(ErrorCode::InvalidArgument, fmt::format("{} must not be empty (\"auto\", \"none\" or a CIDR)", option), option);
        config[key] = *value;
        if (*value != "none") config[std::string(key).substr(0, 4) + ".nat"] = "true";
    }
    return config;
}

}  // namespace

InitResult Manager::init(const InitOptions& opts) {
    core_->refuse_remote("init");
    InitResult result;
    result.network_name = opts.network_name;
    if (!opts.network_name.empty()) {
        auto config = network_config(opts);
        bool managed_exists = false;
        if (networks().exists("default", opts.network_name)) {
            auto existing = networks().get("default", opts.network_name);
            if (!existing.managed)
                throw Error(ErrorCode::AlreadyExists,
                            fmt::format("a host interface named \"{}\" exists and is not managed by libinstance", opts.network_name),
                            "network_name");
            managed_exists = true;
        }
        if (!managed_exists) {
            api::NetworksPost post;
            post.name = opts.network_name;
            post.type = "bridge";
            post.config = config;
            try {
                networks().create("default", post);
            } catch (const Error& e) {
                // Report the options' names: the caller never wrote "ipv4.address" or "name".
                std::string key = e.key() == "name" ? "network_name"
                                  : e.key() == "config.ipv4.address" ? "ipv4_address"
                                  : e.key() == "config.ipv6.address" ? "ipv6_address"
                                                                     : e.key();
                throw Error(e.code(), e.what(), key);
            }
            result.network_created = true;
        }
    }

    auto profile = profiles().get("default", "default");
    if (!opts.network_name.empty() && !profile.devices.count("eth0")) {
        api::ProfilePut put{profile.description, profile.config, profile.devices};
        put.devices["eth0"] = {{"type", "nic"}, {"network", opts.network_name}, {"name", "eth0"}};
        profiles().update("default", "default", put);
        result.profile_nic_added = true;
    } else if (profile.devices.count("eth0")) {
        auto& eth0 = profile.devices.at("eth0");
        auto network = eth0.find("network");
        result.network_name = network == eth0.end() ? std::string() : network->second;
    }
    return result;
}

}  // namespace li
