#pragma once
// The bridge network driver: a Linux bridge named as the network, made and changed through
// netlink, with the network's addresses on it. DHCP/DNS (dnsmasq) and NAT (nftables) hang off
// the marked call sites in bridge_driver.cpp.

#include "network/network_driver.hpp"

namespace li {

class BridgeDriver : public NetworkDriver {
public:
    std::map<std::string, std::string> validate(const std::string& name, const std::map<std::string, std::string>& config,
                                                const NetworkContext& context) override;
    void create(const NetworkRecord& network) override;
    void start(const NetworkRecord& network) override;
    void stop(const NetworkRecord& network) override;
    void update(const NetworkRecord& current, const NetworkRecord& next) override;
    void rename(const NetworkRecord& network, const std::string& new_name) override;
    void remove(const NetworkRecord& network) override;
    api::NetworkState state(const NetworkRecord& network) override;
    std::vector<api::NetworkLease> leases(const NetworkRecord& network) override;
    NicPlan prepare_nic(const NetworkRecord& network, const std::map<std::string, std::string>& nic) override;
    void release_nic(const NetworkRecord& network, const std::map<std::string, std::string>& nic) override;
};

}  // namespace li
