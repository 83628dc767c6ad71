#pragma once
// The macvlan network type (LXD's): instances' nics are macvlan interfaces (bridge mode) on the
// network's parent, or on its VLAN interface <parent>.<vlan>. Any number of instances share it.

#include "network/parent_network.hpp"

namespace li {

class MacvlanDriver : public ParentNetworkDriver {
public:
    explicit MacvlanDriver(ManagerCore& core) : ParentNetworkDriver(core, "macvlan") {}
};

}  // namespace li
