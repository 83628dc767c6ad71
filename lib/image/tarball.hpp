#pragma once
// Reading and unpacking the tarballs of LXD images, which are treated as hostile: every entry is
// checked before anything is written (no absolute paths, no "..", no hard links leaving the
// image, nothing written through a symlink, only files and directories in the metadata part,
// bounded unpacked size), and libarchive's own secure-extraction checks stay on as a second line.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "image/metadata.hpp"
#include "image/unpack_limits.hpp"

namespace li {

/// What an archive holds within an image.
enum class ArchiveRole {
    Unified,   ///< metadata.yaml, templates/ and rootfs/ in one tarball
    Metadata,  ///< the metadata tarball of a split image (metadata.yaml, templates/, a VM image's boot/)
    Rootfs,    ///< the rootfs tarball of a split image (the root file system at its top)
};

/// What a full read of an archive found.
struct ArchiveScan {
    std::optional<std::string> metadata_yaml;  ///< the text of metadata.yaml, if present
    bool has_rootfs = false;
    std::string compression;    ///< "gzip", "xz", "zstd", "bzip2", "lzma", "lz4", "none"
    uint64_t unpacked_bytes = 0;  ///< the uncompressed tar stream's size
};

/// Reads the whole archive, checking every entry, writing nothing. Throws InvalidArgument naming
/// the offending entry (key: the entry's path) or the archive (truncated, too large).
ArchiveScan scan_archive(const std::filesystem::path& file, ArchiveRole role, const UnpackLimits& limits);

/// The compression of an archive (as in ArchiveScan::compression), reading only its start.
std::string archive_compression(const std::filesystem::path& file);

/// Called with the compressed bytes read so far, often; it may throw (e.g. Cancelled).
using UnpackProgress = std::function<void(uint64_t compressed_bytes)>;

/// Unpacks into the existing directory dest: a unified tarball gives dest/{metadata.yaml,
/// templates/,rootfs/}, a metadata tarball dest/{metadata.yaml,templates/}, a rootfs tarball
/// dest/rootfs/. Numeric owners, modes, xattrs and device nodes (in the rootfs) are kept. The
/// same checks as scan_archive() apply to every entry before it is written.
void unpack_archive(const std::filesystem::path& file, ArchiveRole role, const std::filesystem::path& dest,
                    const UnpackLimits& limits, const UnpackProgress& progress);

}  // namespace li
