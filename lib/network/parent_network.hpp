#pragma once
// Networks that hang from an existing host interface (LXD's macvlan and physical types): the
// config only says which one (parent, vlan, mtu), nothing is made on the host but the VLAN
// interface <parent>.<vlan> on first use, and the instances' nics get the nictype of the type.

#include <filesystem>

#include "network/network_driver.hpp"

namespace li {

class ParentNetworkDriver : public NetworkDriver {
public:
    /// nictype: "macvlan" or "physical", what the nics on such a network are.
    ParentNetworkDriver(ManagerCore& core, std::string nictype) : core_(core), nictype_(std::move(nictype)) {}

    /// Keys: parent (required, an interface of the host: NotFound naming config.parent when
    /// missing, unless an update keeps it), mtu, vlan, gvrp, user.*; any other is
    /// InvalidArgument naming config.<key>.
    std::map<std::string, std::string> validate(const std::string& name, const std::map<std::string, std::string>& config,
                                                const NetworkContext& context) override;
    void create(const NetworkRecord& network) override;
    /// NotFound (config.parent) when the parent went (and no instance has it), so the network
    /// shows as errored.
    void start(const NetworkRecord& network) override;
    void stop(const NetworkRecord&) override {}
    void update(const NetworkRecord&, const NetworkRecord&) override {}
    void rename(const NetworkRecord& network, const std::string& new_name) override;
    void remove(const NetworkRecord& network) override;
    /// The parent interface's state.
    api::NetworkState state(const NetworkRecord& network) override;
    /// None: such a network has no DHCP server of its own.
    std::vector<api::NetworkLease> leases(const NetworkRecord&) override { return {}; }
    /// {nictype, the parent (or <parent>.<vlan>, made when missing), mtu}.
    NicPlan prepare_nic(const NetworkRecord& network, const std::map<std::string, std::string>& nic) override;

protected:
    /// Whether an instance has the parent now (so it is not on the host): physical networks.
    virtual bool parent_lent(const NetworkRecord& /*network*/) const { return false; }
    /// The interface the nics hang from: parent, or <parent>.<vlan> with a vlan.
    static std::string nic_parent(const NetworkRecord& network);
    /// The network's own directory (use records).
    std::filesystem::path network_dir(const std::string& name) const;

    ManagerCore& core_;
    std::string nictype_;
};

}  // namespace li
