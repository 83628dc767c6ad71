#pragma once
// Bringing managed networks back at Manager::open (after a host reboot their bridges are gone).

namespace li {

class ManagerCore;

/// Starts every managed network (its bridge where missing, addresses, dnsmasq, NAT); one that fails
/// is logged and marked Errored, the others go on.
void restore_networks(ManagerCore& core);

}  // namespace li
