#pragma once
// The bridge network driver: a Linux bridge named as the network, made and changed through
// netlink, with the network's addresses on it, a supervised dnsmasq for DHCP/DNS (network/dnsmasq)
// and the network's own nftables table for NAT (network/nftables).

#include <filesystem>

#include "network/network_driver.hpp"

namespace li {

class BridgeDriver : public NetworkDriver {
public:
    explicit BridgeDriver(ManagerCore& core) : core_(core) {}
    std::map<std::string, std::string> validate(const std::string& name, const std::map<std::string, std::string>& config,
                                                const NetworkContext& context) override;
    void create(const NetworkRecord& network) override;
    void start(const NetworkRecord& network) override;
    void resume(const NetworkRecord& network) override;
    void stop(const NetworkRecord& network) override;
    void update(const NetworkRecord& current, const NetworkRecord& next) override;
    void rename(const NetworkRecord& network, const std::string& new_name) override;
    void remove(const NetworkRecord& network) override;
    api::NetworkState state(const NetworkRecord& network) override;
    std::vector<api::NetworkLease> leases(const NetworkRecord& network) override;
    NicPlan prepare_nic(const NetworkRecord& network, const std::map<std::string, std::string>& nic) override;
    void start_nic(const NetworkRecord& network, const NicUse& nic) override;
    void release_nic(const NetworkRecord& network, const NicUse& nic) override;

private:
    /// The NAT table and (with_dnsmasq) dnsmasq as the config says (restarted when running).
    void start_services(const NetworkRecord& network, bool with_dnsmasq = true);
    /// dnsmasq as the config says: started, restarted with a new config, adopted, or stopped
    /// when the config needs none.
    void start_dnsmasq(const NetworkRecord& network);
    bool dnsmasq_needed_now(const NetworkRecord& network) const;
    void stop_services(const NetworkRecord& network);
    /// Where the network's dnsmasq reads its per-nic host entries.
    std::filesystem::path hosts_dir(const NetworkRecord& network) const;
    void check_nic_address(const NetworkRecord& network, const NicUse& nic, const std::string& key,
                           const std::string& address) const;

    ManagerCore& core_;
};

}  // namespace li
