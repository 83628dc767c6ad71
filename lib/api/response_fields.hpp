#pragma once
// Lenient readers of one field of a server's JSON document, shared by the response readers
// (response_json*.cpp): a missing or mistyped field gives the default, as a newer or older
// server may differ.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libinstance/api/instance.hpp"

namespace li::rest::field {

std::string str(const nlohmann::json& doc, const char* key);
int64_t num(const nlohmann::json& doc, const char* key, int64_t fallback = 0);
bool flag(const nlohmann::json& doc, const char* key);
/// LXD's config values are strings; anything else is kept as its JSON text rather than dropped.
api::ConfigMap string_map(const nlohmann::json& doc, const char* key);
api::DeviceMap device_map(const nlohmann::json& doc, const char* key);
std::vector<std::string> string_list(const nlohmann::json& doc, const char* key);
/// A time, "" for Go's zero time (LXD's "never").
std::string time_of(const nlohmann::json& doc, const char* key);

}  // namespace li::rest::field
