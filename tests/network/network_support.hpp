#pragma once
// Helpers of the network suite: the shared manager of the integration tests, and looks at the
// namespace's links and routes.

#include <string>

#include "integration/shared_manager.hpp"
#include "network/netlink.hpp"
#include "network/subnet_auto.hpp"

namespace li::test {

inline NetworkStore& networks() { return shared().mgr->networks(); }

inline bool link_exists(const std::string& name) { return netlink::find_link(name).has_value(); }

inline bool record_exists(const std::string& name) {
    for (const auto& n : networks().list("default"))
        if (n.name == name && n.managed) return true;
    return false;
}

inline api::Network create_bridge(const std::string& name, std::map<std::string, std::string> config) {
    api::NetworksPost post;
    post.name = name;
    post.config = std::move(config);
    return networks().create("default", post);
}

/// Whether the state has address/prefix.
inline bool has_address(const api::NetworkState& s, const std::string& address, const std::string& prefix) {
    for (const auto& a : s.addresses)
        if (a.address == address && a.netmask == prefix) return true;
    return false;
}

}  // namespace li::test
