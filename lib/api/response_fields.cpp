#include "api/response_fields.hpp"

namespace li::rest::field {

using nlohmann::json;

std::string str(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t num(const json& doc, const char* key, int64_t fallback) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_number() ? it->get<int64_t>() : fallback;
}

bool flag(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_boolean() && it->get<bool>();
}

api::ConfigMap string_map(const json& doc, const char* key) {
    api::ConfigMap out;
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_object()) return out;
    for (const auto& [k, v] : it->items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return out;
}

api::DeviceMap device_map(const json& doc, const char* key) {
    api::DeviceMap out;
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_object()) return out;
    for (const auto& [name, device] : it->items()) out[name] = string_map(json{{"d", device}}, "d");
    return out;
}

std::vector<std::string> string_list(const json& doc, const char* key) {
    std::vector<std::string> out;
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// Go's zero time is LXD's "never"; the library writes "" for it.
std::string time_of(const json& doc, const char* key) {
    std::string t = str(doc, key);
    return t.starts_with("0001-01-01") ? std::string() : t;
}

}  // namespace li::rest::field
