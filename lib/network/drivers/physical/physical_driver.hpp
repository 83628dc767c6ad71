#pragma once
// The physical network type (LXD's): an instance's nic is the network's parent (or its VLAN
// interface) itself, moved into the instance, so one instance at a time has it. Which one is
// recorded in <networks_dir>/<name>/nic-user: "<project>/<instance>/<device> <ifindex>".

#include "network/parent_network.hpp"

namespace li {

class PhysicalDriver : public ParentNetworkDriver {
public:
    explicit PhysicalDriver(ManagerCore& core) : ParentNetworkDriver(core, "physical") {}

    /// Conflict (key devices.<device>.network) while another instance has the interface.
    void start_nic(const NetworkRecord& network, const NicUse& nic) override;
    void release_nic(const NetworkRecord& network, const NicUse& nic) override;

protected:
    /// A live use is recorded (its interface is not back on the host).
    bool parent_lent(const NetworkRecord& network) const override;
};

}  // namespace li
