#pragma once
// A bare {key: value} JSON object (config keys, one device) as a ConfigMap, for the C ABI's
// key-level calls.

#include <string>
#include <string_view>

#include "libinstance/api/instance.hpp"

namespace li::api {

/// Parses a JSON object whose values are all strings. A syntax error or a non-object is
/// InvalidArgument naming field; a value of another type names "<field>.<key>".
ConfigMap config_map_from_json(std::string_view text, const std::string& field);
/// The JSON object of a ConfigMap (what config_map_from_json reads back).
std::string config_map_to_json(const ConfigMap& config);

}  // namespace li::api
