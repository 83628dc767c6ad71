#pragma once
// Growing a loop-backed btrfs pool in place: its file, its loop device and its file system.

#include <cstdint>
#include <filesystem>

namespace li::btrfs {

/// Grows the sparse loop file `file` to `bytes`, makes its (attached) loop device see the new
/// capacity and resizes the btrfs file system mounted at `mount_dir` to fill it. InvalidArgument
/// (key "size") when `bytes` is below the file's size; the file keeps its size when a step fails.
void grow_loop_pool(const std::filesystem::path& file, const std::filesystem::path& mount_dir, uint64_t bytes);

}  // namespace li::btrfs
