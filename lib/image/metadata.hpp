#pragma once
// metadata.yaml of LXD images.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace li {

/// One entry of metadata.yaml's `templates`.
struct ImageTemplate {
    std::vector<std::string> when;  // "create", "copy", "start"
    std::string template_file;      // file name under templates/
    bool create_only = false;
    std::map<std::string, std::string> properties;
};

/// The parts of metadata.yaml libinstance uses.
struct ImageMetadata {
    std::string architecture;
    int64_t creation_date = 0;
    int64_t expiry_date = 0;
    std::map<std::string, std::string> properties;
    std::map<std::string, ImageTemplate> templates;  // keyed by the target path in the instance
};

/// Parses metadata.yaml; errors are InvalidArgument naming "metadata.yaml" and the field.
ImageMetadata parse_image_metadata(std::string_view yaml);
/// Renders metadata.yaml.
std::string render_image_metadata(const ImageMetadata& metadata);

/// LXD's architecture name for this host ("x86_64", "aarch64", ...).
std::string host_architecture();

/// LXD's name for an architecture given under any of its aliases ("amd64" -> "x86_64",
/// "arm64" -> "aarch64", "i386" -> "i686", ...); unknown names are returned unchanged.
std::string normalize_architecture(std::string_view name);

/// Whether an instance of this (normalised) architecture can run here: the host's own, and
/// the 32-bit personality of a 64-bit host (i686 on x86_64, armv7l/armv8l on aarch64).
bool architecture_runs_on_host(std::string_view architecture);

}  // namespace li
