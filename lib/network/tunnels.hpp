#pragma once
// The tunnels of a bridge network (LXD's tunnel.NAME.* keys): one VXLAN or gretap interface per
// tunnel, named <bridge>-<NAME>, as a port of the bridge, so the bridge's L2 segment reaches
// other hosts. Made through netlink (network/netlink).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace li {

/// NAME of every tunnel.NAME.FIELD key, sorted.
std::vector<std::string> tunnel_names(const std::map<std::string, std::string>& config);
/// The host interface of tunnel NAME on bridge: "<bridge>-<NAME>".
std::string tunnel_interface(const std::string& bridge, const std::string& name);
/// The bridge's MTU when bridge.mtu is unset: as LXD, 1400 with tunnels (room for the
/// encapsulation on a 1500 underlay), else 1500.
uint32_t default_bridge_mtu(const std::map<std::string, std::string>& config);

/// Makes the bridge's tunnels as the config says: every tunnel interface of the bridge is made
/// again (a changed id, remote or protocol takes effect; one whose group went is gone), attached
/// to the bridge with its MTU, and up. Partial groups are skipped as LXD does (no protocol; gre
/// without local and remote). Errors name "config.tunnel.NAME.<field>"; the tunnels made by a
/// failed call are removed again.
void apply_tunnels(const std::string& bridge, const std::map<std::string, std::string>& config);
/// Deletes the bridge's tunnel interfaces (the config's and any left over); missing ones are fine.
void remove_tunnels(const std::string& bridge, const std::map<std::string, std::string>& config);

}  // namespace li
