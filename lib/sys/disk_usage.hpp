#pragma once
// Disk usage of a directory tree (du).

#include <cstdint>
#include <string>

namespace li {

/// Bytes used by the files under dir, counting each inode once and never crossing into another
/// file system (the mounts inside a volume, e.g. its merged overlay view, are not its own data).
int64_t tree_disk_usage(const std::string& dir);

}  // namespace li
