#pragma once
// Where volumes live inside a pool directory, shared by the drivers whose volumes are directories
// (dir) or subvolumes (btrfs): <pool>/{containers,images,custom}/<name>, staged as <name>.creating.

#include <filesystem>
#include <sys/types.h>
#include <vector>

#include "storage/storage_driver.hpp"

namespace li {

/// The folder of a pool holding volumes of this type ("containers", "images", "custom").
const char* volume_type_dir(VolumeType type);

/// Where a volume is built before it appears under its final name, so a crash never leaves a
/// half-filled volume that looks whole.
std::filesystem::path volume_staging_path(const std::filesystem::path& final_path);

/// The staged entries (*.creating) under a pool's volume and snapshot folders: what a process
/// killed while making a volume or snapshot left behind. Never a volume: names cannot end so.
std::vector<std::filesystem::path> staging_leftovers(const std::filesystem::path& pool_root);

/// mkdir that accepts an existing directory, then sets the mode (umask-proof).
void make_dir_with_mode(const std::filesystem::path& dir, mode_t mode);

}  // namespace li
