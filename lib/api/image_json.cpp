#include <nlohmann/json.hpp>

#include "libinstance/api/image.hpp"

namespace li::api {

using nlohmann::json;

namespace {
json image_to_json(const Image& i) {
    json aliases = json::array();
    for (const auto& a : i.aliases) aliases.push_back({{"name", a.name}, {"description", a.description}});
    return json{
        {"fingerprint", i.fingerprint},
        {"filename", i.filename},
        {"size", i.size},
        {"architecture", i.architecture},
        {"type", i.type},
        {"properties", i.properties},
        {"aliases", aliases},
        {"public", i.public_},
        {"auto_update", i.auto_update},
        {"cached", i.cached},
        {"created_at", i.created_at},
        {"uploaded_at", i.uploaded_at},
        {"expires_at", i.expires_at.empty() ? "0001-01-01T00:00:00Z" : i.expires_at},
        {"last_used_at", i.last_used_at.empty() ? "0001-01-01T00:00:00Z" : i.last_used_at},
        {"profiles", json::array({"default"})},
        {"project", i.project},
    };
}
}  // namespace

std::string to_json(const Image& image) { return image_to_json(image).dump(); }

std::string to_json(const std::vector<Image>& images) {
    json out = json::array();
    for (const auto& i : images) out.push_back(image_to_json(i));
    return out.dump();
}

}  // namespace li::api
