#pragma once
// LXD's ImagesPost with source type "instance" (or "container"/"snapshot") as publish options.

#include <string_view>

#include "libinstance/image.hpp"

namespace li::api {

/// Parses {"source": {"type": "instance", "name": "c1"}, "aliases": [{"name": "a"}],
/// "properties": {...}, "compression_algorithm": "xz", "public": true, "expires_at": "..."}.
/// InvalidArgument naming the field for a wrong type or a missing source.
ImagePublishOptions image_publish_from_json(std::string_view text);

}  // namespace li::api
