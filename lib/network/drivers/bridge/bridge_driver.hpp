#pragma once
// The bridge network driver: a Linux bridge named as the network, made and changed through
// netlink, with the network's addresses on it, a supervised dnsmasq for DHCP/DNS (network/dnsmasq)
// and the network's own nftables table for NAT (network/nftables).

#include "network/network_driver.hpp"

namespace li {

class BridgeDriver : public NetworkDriver {
public:
    explicit BridgeDriver(ManagerCore& core) : core_(core) {}
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

private:
    /// dnsmasq and the NAT table as the config says (restarted when running).
    void start_services(const NetworkRecord& network);
    void stop_services(const NetworkRecord& network);

    ManagerCore& core_;
};

}  // namespace li
