#pragma once
// The mock network driver: validates as the bridge driver does but touches nothing on the host;
// its state is made up from the config. For the bindings' fast tests
// ($LIBINSTANCE_NETWORK_DRIVER=mock).

#include "network/network_driver.hpp"

namespace li {

class MockNetworkDriver : public NetworkDriver {
public:
    std::map<std::string, std::string> validate(const std::string& name, const std::map<std::string, std::string>& config,
                                                const NetworkContext& context) override;
    void create(const NetworkRecord&) override {}
    void start(const NetworkRecord&) override {}
    void stop(const NetworkRecord&) override {}
    void update(const NetworkRecord&, const NetworkRecord&) override {}
    void rename(const NetworkRecord&, const std::string&) override {}
    void remove(const NetworkRecord&) override {}
    api::NetworkState state(const NetworkRecord& network) override;
    std::vector<api::NetworkLease> leases(const NetworkRecord&) override { return {}; }
    NicPlan prepare_nic(const NetworkRecord& network, const std::map<std::string, std::string>& nic) override;
};

}  // namespace li
