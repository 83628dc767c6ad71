#pragma once
// Reading what `inst X edit` (or `X edit < file`) gives back: the YAML that `X show` printed,
// of which only the writable fields matter (name, used_by and the like are ignored, as in lxc).

#include <functional>
#include <string>
#include <string_view>
#include <yaml-cpp/yaml.h>

#include "libinstance/api/instance.hpp"

namespace li::cli {

/// Runs read(doc) on the YAML map in text. An empty document is nothing to read; a document that
/// is not YAML or not a map is InvalidArgument (key "yaml") naming `what` ("network", "profile").
void read_yaml_document(const std::string& text, std::string_view what, const std::function<void(const YAML::Node&)>& read);

/// The document's description ("" when absent).
std::string yaml_description(const YAML::Node& doc);

/// A map of strings (absent or null: empty); InvalidArgument naming field, or field.KEY for a
/// value that is not a string.
api::ConfigMap yaml_string_map(const YAML::Node& node, const std::string& field);

}  // namespace li::cli
