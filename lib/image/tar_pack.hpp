#pragma once
// Writing LXD unified image tarballs from trees on disk (publish, the debian builder).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace li {

/// InvalidArgument (key "compression") unless it is "gzip", "xz", "zstd", "bzip2" or "none".
void validate_compression(std::string_view compression);
/// The file name suffix LXD gives a tarball of that compression (".tar.gz", ".tar.xz", ...).
std::string tarball_suffix(std::string_view compression);

/// Called with the bytes of file data packed so far, often; it may throw (e.g. Cancelled).
using PackProgress = std::function<void(uint64_t bytes)>;

/// What pack_unified_tarball() puts in the archive.
struct PackInput {
    std::string metadata_yaml;
    std::filesystem::path templates_dir;  ///< its regular files become templates/<name>; may be absent
    std::filesystem::path rootfs;         ///< becomes rootfs/
};

/// Writes metadata.yaml, templates/ and rootfs/ into a new tarball at out (pax format, numeric
/// owners, modes, times, xattrs, device nodes, hard links and symlinks as they are on disk;
/// sockets are skipped; other mounts below rootfs are not entered).
void pack_unified_tarball(const PackInput& input, const std::filesystem::path& out, std::string_view compression,
                          const PackProgress& progress = {});

/// The bytes of regular file data below dir (for progress), not crossing mounts.
uint64_t tree_data_bytes(const std::filesystem::path& dir);

}  // namespace li
