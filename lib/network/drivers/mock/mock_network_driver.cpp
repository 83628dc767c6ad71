#include "network/drivers/mock/mock_network_driver.hpp"

#include "network/drivers/bridge/bridge_config.hpp"

namespace li {

std::map<std::string, std::string> MockNetworkDriver::validate(const std::string& name, const std::map<std::string, std::string>& config,
                                                               const NetworkContext& context) {
    check_tunnel_names(name, config);
    return bridge_config(config, context, {}, {});  // no host routes: nothing is made on the host
}

api::NetworkState MockNetworkDriver::state(const NetworkRecord& network) {
    api::NetworkState s;
    for (const char* key : {"ipv4.address", "ipv6.address"})
        if (auto cidr = bridge_address(network.config, key))
            s.addresses.push_back({cidr->family == 4 ? "inet" : "inet6", cidr->address(), std::to_string(cidr->prefix), "global"});
    auto mtu = network.config.find("bridge.mtu");
    s.mtu = mtu == network.config.end() ? 1500 : std::stoll(mtu->second);
    auto hwaddr = network.config.find("bridge.hwaddr");
    s.hwaddr = hwaddr == network.config.end() ? "00:16:3e:00:00:00" : hwaddr->second;
    s.state = "up";
    s.type = "broadcast";
    s.has_bridge = true;
    s.bridge.id = "8000." + std::string("00163e000000");
    return s;
}

NicPlan MockNetworkDriver::prepare_nic(const NetworkRecord& network, const std::map<std::string, std::string>&) {
    auto mtu = network.config.find("bridge.mtu");
    return NicPlan{"bridged", network.name, mtu == network.config.end() ? "" : mtu->second};
}

}  // namespace li
