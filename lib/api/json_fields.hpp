#pragma once
// Strict readers for JSON request bodies: a wrong type names the offending field.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li::api::json_fields {

using nlohmann::json;

/// Parses text; a syntax error is InvalidArgument naming `what`.
json parse(std::string_view text, std::string_view what);
/// Parses text that must be a JSON object (a request body); else InvalidArgument naming "body".
json parse_object(std::string_view text, std::string_view what);
/// obj[key] as a string ("" when absent or null); other types are InvalidArgument naming field.
std::string get_string(const json& obj, const char* key, const std::string& field);
bool get_bool(const json& obj, const char* key, const std::string& field);
/// A {string: string} map.
ConfigMap get_string_map(const json& obj, const char* key, const std::string& field);
/// A {device: {string: string}} map.
DeviceMap get_device_map(const json& obj, const char* key, const std::string& field);
/// An array of strings; nullopt when absent or null.
std::optional<std::vector<std::string>> get_string_list(const json& obj, const char* key, const std::string& field);

/// An optional time (expires_at, last_used_at): LXD writes "never" as Go's zero time, read as "".
std::string get_time(const json& obj, const char* key, const std::string& field);
/// "" as Go's zero time, as LXD's clients expect.
std::string time_or_zero(const std::string& rfc3339);

}  // namespace li::api::json_fields
