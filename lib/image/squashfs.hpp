#pragma once
// The squashfs rootfs of split LXD images, read with squashfs-tools' unsquashfs.

#include <cstdint>
#include <filesystem>
#include <stop_token>

#include "image/unpack_limits.hpp"

namespace li {

/// True when the file starts with squashfs's magic ("hsqs").
bool is_squashfs(const std::filesystem::path& file);

/// Checks the superblock and the listing (names, total size against limits), writing nothing;
/// returns the bytes the file system holds. InvalidArgument naming the file or the entry.
uint64_t scan_squashfs(const std::filesystem::path& file, const UnpackLimits& limits);

/// Unpacks into rootfs (which must not exist), keeping owners, modes and xattrs. A stop request
/// kills unsquashfs and throws Cancelled.
void unpack_squashfs(const std::filesystem::path& file, const std::filesystem::path& rootfs, std::stop_token stop);

}  // namespace li
