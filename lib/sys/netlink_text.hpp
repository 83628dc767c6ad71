#pragma once
// How rtnetlink values read as LXD shows them: one spelling for the instance state
// (sys/netns_interfaces) and the network state (network/netlink).

#include <cstddef>
#include <string>

namespace li::netlink_text {

/// "00:16:3e:12:34:56"; "" for an all-zero address (an interface without one, e.g. lo).
std::string hwaddr(const unsigned char* data, size_t len);
/// An address scope as LXD names it: "global", "link", "local" (host), else its number.
std::string scope_name(unsigned char scope);

}  // namespace li::netlink_text
