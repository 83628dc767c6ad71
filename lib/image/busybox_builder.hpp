#pragma once
// The `busybox` image builder: an LXD unified image from the host's static busybox.

#include <filesystem>

namespace li {

/// Writes a gzip-compressed LXD unified tarball (metadata.yaml, templates/, rootfs/) built around
/// the static busybox found in $LIBINSTANCE_BUSYBOX or PATH. Deterministic for one busybox binary.
void build_busybox_image(const std::filesystem::path& out_tarball);

}  // namespace li
