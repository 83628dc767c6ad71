#pragma once
// Connecting to unix sockets named by a file path (the VM driver's QEMU sockets, a libvirtd's).

#include <filesystem>

#include "sys/unique_fd.hpp"

namespace li {

/// A stream socket connected to the unix socket at `path`, or an empty fd with errno set (ENOENT,
/// ECONNREFUSED, EAGAIN for a non-blocking connect to a full backlog, ENAMETOOLONG when the path
/// does not fit a socket address). Only creating the socket itself throws.
UniqueFd connect_unix(const std::filesystem::path& path, bool nonblocking = false);

}  // namespace li
