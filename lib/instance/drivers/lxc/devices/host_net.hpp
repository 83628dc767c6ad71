#pragma once
// Host network plumbing for nic devices: the one place that runs iproute2 (`ip`, `tc`), so the
// commands that change links, namespaces and traffic control are all visible here.

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

namespace li::host_net {

/// Whether an interface of that name exists in this process's network namespace.
bool link_exists(const std::string& name);
/// Whether it exists and is a bridge.
bool is_bridge(const std::string& name);
/// The ifindex of an interface here, if it exists.
std::optional<int> ifindex(const std::string& name);
/// The name of the interface with that ifindex here, if any.
std::optional<std::string> name_of_ifindex(int index);

/// Creates a veth pair, both ends down.
void add_veth(const std::string& host, const std::string& peer);
/// Creates a macvlan (bridge mode) on parent.
void add_macvlan(const std::string& name, const std::string& parent);
/// Deletes an interface here; nothing when it does not exist.
void delete_link(const std::string& name);
/// Sets the bridge (when not empty) and brings the interface up.
void attach_to_bridge(const std::string& name, const std::string& bridge);
void set_up(const std::string& name);
void set_mtu(const std::string& name, const std::string& mtu);
void rename(const std::string& from, const std::string& to);

/// Settings applied to an interface once it is inside the container.
struct InsideSetup {
    std::string name;    ///< rename to
    std::string hwaddr;  ///< "" keeps it
    std::string mtu;     ///< "" keeps it
};
/// Moves a host interface into the network namespace of pid, renames it, sets address and MTU
/// and brings it up there.
void move_into(const std::string& name, pid_t pid, const InsideSetup& setup);
/// Moves an interface of pid's namespace back here under the name back_name (down).
void move_out(const std::string& inside_name, pid_t pid, const std::string& back_name);
/// Deletes an interface inside pid's namespace; nothing when it does not exist.
void delete_inside(const std::string& name, pid_t pid);

/// Rates in bit/s as LXD writes them ("10Mbit", "1000"), converted to tc's notation.
std::string tc_rate(const std::string& lxd_rate);
/// Shapes a host-side veth: `to_container` limits what the container receives (a tbf qdisc on
/// the host side), `from_container` what it sends: the host side's ingress is redirected through
/// the ifb device `ifb` (created here) whose tbf qdisc holds it back. (This kernel family has
/// no policing action, and a limit set inside the container could be lifted by its root.) Empty
/// rates remove the respective limit; the ifb is deleted when unused.
void set_rate_limits(const std::string& host_side, const std::string& ifb, const std::string& to_container,
                     const std::string& from_container);

}  // namespace li::host_net
