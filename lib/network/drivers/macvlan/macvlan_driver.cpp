// Everything of a macvlan network is ParentNetworkDriver's: it has no state of its own, and the
// nic device makes the macvlan interfaces.
#include "network/drivers/macvlan/macvlan_driver.hpp"
