#pragma once
// Applying an image's templates/ to an instance's root file system (LXD's template triggers).

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "image/metadata.hpp"

namespace li {

/// Variables visible to templates, e.g. {"container.name": "c1", "instance.name": "c1"}.
using TemplateContext = std::map<std::string, std::string>;

/// Renders `{{ name }}` placeholders (pongo2's plain variable form); unknown names render empty.
std::string render_template(std::string_view text, const TemplateContext& context);

/// Writes every template of `metadata` whose `when` has `trigger` into rootfs, reading template
/// files from templates_dir. Targets are resolved inside rootfs (symlinks cannot escape it).
void apply_templates(const ImageMetadata& metadata, const std::filesystem::path& templates_dir,
                     const std::filesystem::path& rootfs, std::string_view trigger, const TemplateContext& context);

}  // namespace li
