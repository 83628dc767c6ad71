#pragma once
// Bringing managed networks back at Manager::open (after a host reboot their bridges are gone).

namespace li {

class ManagerCore;

/// Starts every managed network (its bridge where missing, addresses, dnsmasq, NAT) on the first
/// open since the host booted; later opens only resume them (bring back a missing one, adopt a
/// running dnsmasq), so that opening stays cheap. One that fails is logged and marked Errored,
/// the others go on.
void restore_networks(ManagerCore& core, bool first_since_boot);

}  // namespace li
