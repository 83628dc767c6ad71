#pragma once
// Overlapping the kernel's cgroup-migration grace period with other work.
//
// Moving a process between cgroups takes a global lock whose writer side first waits for an RCU
// grace period (7-15 ms on the machines this is tested on) whenever no migration happened in the
// last grace period or so. Every `exec` into a container pays that once: liblxc's attach moves
// the new process into the container's cgroups. Starting a no-op migration (this process into the
// cgroup it is already in) on another thread just before the helper is spawned lets that wait run
// while the helper starts, so the attach finds the grace period over, or nearly.

namespace li {

/// Starts the no-op migration on a short-lived detached thread and returns at once. Best effort:
/// where the cgroup cannot be written (no permission, no cgroup filesystem) nothing happens.
void warm_up_cgroup_migration();

}  // namespace li
