#pragma once
// Clean-up of the cgroups liblxc leaves behind.

#include <string_view>

namespace li {

/// Removes the lxc.monitor.NAME and lxc.payload.NAME cgroups (every hierarchy, v1 and v2) that
/// liblxc may leave after a container stops, waiting up to wait_ms for them to empty. A cgroup
/// with any process in its subtree (e.g. a same-named container of another state dir) is kept.
void remove_leftover_lxc_cgroups(std::string_view name, int wait_ms = 1000);
/// True when a cgroup named lxc.payload.NAME or lxc.monitor.NAME exists in any hierarchy.
bool lxc_cgroups_exist(std::string_view name);

}  // namespace li
