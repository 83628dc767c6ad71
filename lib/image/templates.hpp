#pragma once
// Applying an image's templates/ to an instance's root file system on LXD's triggers:
// "create" (the instance was made from the image), "copy" (it was copied from another instance;
// instance copy calls apply_instance_templates(..., "copy") once it exists) and "start" (before
// every start). `create_only` templates never replace an existing file.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "image/metadata.hpp"
#include "image/template_engine.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

/// Writes every template of `metadata` whose `when` has `trigger` into rootfs, reading template
/// files from templates_dir. `context` gets trigger, path and the entry's properties per template.
/// Targets are resolved inside rootfs (symlinks cannot escape it).
void apply_templates(const ImageMetadata& metadata, const std::filesystem::path& templates_dir,
                     const std::filesystem::path& rootfs, std::string_view trigger, const TemplateContext& context);

/// LXD's template context of an instance (container.* / instance.*, config, devices).
TemplateContext instance_template_context(const std::string& name, const std::string& type, const std::string& architecture,
                                          bool ephemeral, const api::ConfigMap& expanded_config,
                                          const api::DeviceMap& expanded_devices);

/// apply_templates() for the instance volume at volume_dir (metadata.yaml, templates/ and rootfs/
/// side by side, as an image leaves them); nothing to do when it has no metadata.yaml.
void apply_instance_templates(const std::filesystem::path& volume_dir, std::string_view trigger, const TemplateContext& context);

}  // namespace li
