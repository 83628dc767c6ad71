#pragma once
// Attaching to a container's console through libinstance-helper's `console`.

#include <filesystem>
#include <string>
#include <sys/types.h>

#include "libinstance/instance.hpp"

namespace li {

/// The console (terminal 0) of the running container lxc_name. The helper asks liblxc's monitor
/// for it and passes the descriptors back, so liblxc never runs its client code in this process.
/// The init's parent, liblxc's monitor, applies the Console's resizes when signalled.
Console lxc_console_attach(const std::filesystem::path& helper, const std::filesystem::path& lxcpath,
                           const std::string& lxc_name, pid_t init_pid);

}  // namespace li
