#pragma once
// Reading and unpacking LXD unified image tarballs (metadata.yaml + rootfs/ + templates/), which
// are treated as hostile: no absolute paths, no '..', no extraction through symlinks.

#include <filesystem>

#include "core/operation_state.hpp"
#include "image/metadata.hpp"

namespace li {

/// Scans a unified tarball: parses metadata.yaml (at most 1 MiB), checks every entry's path and
/// that a rootfs/ is present. Throws InvalidArgument naming the offending entry.
ImageMetadata inspect_unified_tarball(const std::filesystem::path& tarball);

/// Unpacks metadata.yaml, templates/ and rootfs/ into dest (which must not exist), preserving
/// numeric owners, modes, xattrs and device nodes. Leaves nothing behind on failure.
/// Progress goes to ctx under progress_key ("Unpack: N%", by compressed bytes read); a
/// cancellation stops it between entries.
void unpack_unified_tarball(const std::filesystem::path& tarball, const std::filesystem::path& dest,
                            OperationContext& ctx, const std::string& progress_key);

}  // namespace li
