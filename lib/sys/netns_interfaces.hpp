#pragma once
// The network interfaces of another process's network namespace, read over rtnetlink.

#include <map>
#include <string>
#include <sys/types.h>

#include "libinstance/api/instance.hpp"

namespace li {

/// Every interface in the network namespace of pid, with its counters and addresses, as LXD's
/// InstanceStateNetwork. The socket is opened from a short-lived thread that joins the namespace
/// (setns of a network namespace is per thread), so the calling process never leaves its own.
/// Throws Error(System) when the namespace cannot be entered.
std::map<std::string, api::InstanceStateNetwork> netns_interfaces(pid_t pid);

}  // namespace li
