#pragma once
// The `busybox` image builder: an LXD unified image from the host's static busybox.

#include <filesystem>
#include <string>

namespace li {

/// Writes a gzip-compressed LXD unified tarball (metadata.yaml, templates/, rootfs/) built around
/// the static busybox found in $LIBINSTANCE_BUSYBOX or PATH. Deterministic for one busybox binary.
void build_busybox_image(const std::filesystem::path& out_tarball);

/// The static busybox the builders use ($LIBINSTANCE_BUSYBOX, else /bin/busybox, /usr/bin/busybox),
/// its bytes in *binary when given. NotFound when there is none; InvalidArgument when it is not
/// a static executable.
std::filesystem::path static_busybox(std::string* binary = nullptr);

}  // namespace li
