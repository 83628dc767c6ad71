#include "api/response_json_images.hpp"

#include "api/response_fields.hpp"

namespace li::rest {

using nlohmann::json;

using namespace field;

api::Image image_from_json(const json& doc) {
    api::Image image;
    if (!doc.is_object()) return image;
    image.fingerprint = str(doc, "fingerprint");
    image.filename = str(doc, "filename");
    if (auto it = doc.find("size"); it != doc.end() && it->is_number()) image.size = it->get<int64_t>();
    image.architecture = str(doc, "architecture");
    if (std::string type = str(doc, "type"); !type.empty()) image.type = type;
    if (auto it = doc.find("properties"); it != doc.end() && it->is_object())
        for (const auto& [k, v] : it->items()) image.properties[k] = v.is_string() ? v.get<std::string>() : v.dump();
    if (auto it = doc.find("aliases"); it != doc.end() && it->is_array())
        for (const auto& a : *it)
            if (a.is_object()) image.aliases.push_back({str(a, "name"), str(a, "description")});
    image.public_ = flag(doc, "public");
    image.auto_update = flag(doc, "auto_update");
    image.cached = flag(doc, "cached");
    image.created_at = time_of(doc, "created_at");
    image.uploaded_at = time_of(doc, "uploaded_at");
    image.expires_at = time_of(doc, "expires_at");
    image.last_used_at = time_of(doc, "last_used_at");
    if (std::string project = str(doc, "project"); !project.empty()) image.project = project;
    return image;
}

api::ImageAliasesEntry image_alias_from_json(const json& doc) {
    api::ImageAliasesEntry alias;
    if (!doc.is_object()) return alias;
    alias.name = str(doc, "name");
    alias.description = str(doc, "description");
    alias.target = str(doc, "target");
    if (std::string type = str(doc, "type"); !type.empty()) alias.type = type;
    return alias;
}

}  // namespace li::rest
