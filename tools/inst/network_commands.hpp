#pragma once
// What the files of `inst network` share: the network argument, and attach/detach (instances'
// and profiles' nic devices on a network), which live in cmd_network_attach.cpp.

#include <string>
#include <vector>

#include "cli.hpp"

namespace li::cli {

/// A network argument; lxc's "local:" prefix names the local state directory.
std::string network_arg(const std::string& arg);

/// network attach, detach, attach-profile, detach-profile.
std::vector<Command> network_attach_commands();

}  // namespace li::cli
