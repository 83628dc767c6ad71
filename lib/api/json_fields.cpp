#include "api/json_fields.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li::api::json_fields {

json parse(std::string_view text, std::string_view what) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for any type (found by fuzzing)
        throw Error::invalid(std::string(what), fmt::format("invalid JSON in {}: {}", what, e.what()));
    }
}

namespace {
[[noreturn]] void wrong_type(const std::string& field, const char* expected, const json& value) {
    throw Error::invalid(field, fmt::format("field \"{}\" must be {}, not {}", field, expected, value.type_name()));
}
}  // namespace

json parse_object(std::string_view text, std::string_view what) {
    json body = parse(text, what);
    if (!body.is_object()) throw Error::invalid("body", "the " + std::string(what) + " must be a JSON object");
    return body;
}

std::string get_string(const json& obj, const char* key, const std::string& field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return {};
    if (!it->is_string()) wrong_type(field, "a string", *it);
    return it->get<std::string>();
}

bool get_bool(const json& obj, const char* key, const std::string& field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return false;
    if (!it->is_boolean()) wrong_type(field, "a boolean", *it);
    return it->get<bool>();
}

ConfigMap get_string_map(const json& obj, const char* key, const std::string& field) {
    ConfigMap out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_object()) wrong_type(field, "an object", *it);
    for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) wrong_type(field + "." + k, "a string", v);
        out[k] = v.get<std::string>();
    }
    return out;
}

DeviceMap get_device_map(const json& obj, const char* key, const std::string& field) {
    DeviceMap out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_object()) wrong_type(field, "an object", *it);
    for (const auto& [name, dev] : it->items()) {
        if (!dev.is_object()) wrong_type(field + "." + name, "an object", dev);
        out[name] = get_string_map(*it, name.c_str(), field + "." + name);
    }
    return out;
}

std::optional<std::vector<std::string>> get_string_list(const json& obj, const char* key, const std::string& field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    auto bad = [&] { return Error::invalid(field, fmt::format("field \"{}\" must be an array of strings", field)); };
    if (!it->is_array()) throw bad();
    std::vector<std::string> out;
    for (const auto& v : *it) {
        if (!v.is_string()) throw bad();
        out.push_back(v.get<std::string>());
    }
    return out;
}

std::string get_time(const json& obj, const char* key, const std::string& field) {
    std::string at = get_string(obj, key, field);
    return at.starts_with("0001-01-01") ? std::string() : at;
}

std::string time_or_zero(const std::string& rfc3339) { return rfc3339.empty() ? "0001-01-01T00:00:00Z" : rfc3339; }

}  // namespace li::api::json_fields
