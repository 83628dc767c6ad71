#include "api/config_map_json.hpp"

#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/error.hpp"

namespace li::api {

ConfigMap config_map_from_json(std::string_view text, const std::string& field) {
    nlohmann::json doc = json_fields::parse(text, field);
    if (!doc.is_object()) throw Error::invalid(field, "\"" + field + "\" must be a JSON object of strings");
    // get_string_map reads obj[key]: wrap the document so its errors name "<field>.<key>".
    nlohmann::json holder = nlohmann::json::object();
    holder["x"] = std::move(doc);
    return json_fields::get_string_map(holder, "x", field);
}

std::string config_map_to_json(const ConfigMap& config) { return nlohmann::json(config).dump(); }

}  // namespace li::api
