#pragma once
// A file system's space and inodes as a PoolUsage (statvfs), for drivers whose pool is a whole
// file system or a directory on one.

#include <cerrno>
#include <filesystem>
#include <sys/statvfs.h>

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "storage/storage_driver.hpp"

namespace li {

/// Space and inodes of the file system holding `path`; with_inodes false leaves inodes at 0 (a
/// file system like btrfs that makes inodes on demand reports no meaningful total).
inline PoolUsage fs_usage(const std::filesystem::path& path, bool with_inodes) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) throw Error::from_errno(fmt::format("statvfs {}", path.string()), errno);
    PoolUsage usage;
    usage.space_total = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
    usage.space_used = static_cast<uint64_t>(st.f_blocks - st.f_bfree) * st.f_frsize;
    if (with_inodes) {
        usage.inodes_total = st.f_files;
        usage.inodes_used = st.f_files - st.f_ffree;
    }
    return usage;
}

}  // namespace li
