#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/image.hpp"
#include "libinstance/error.hpp"

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

ImagePut image_put_of(const Image& image) {
    return ImagePut{image.properties, image.public_, image.auto_update, image.expires_at};
}

ImagePut image_put_from_json(std::string_view text) {
    namespace jf = json_fields;
    json body = jf::parse(text, "image update");
    if (!body.is_object()) throw Error::invalid("body", "the image update must be a JSON object");
    ImagePut put;
    put.properties = jf::get_string_map(body, "properties", "properties");
    put.public_ = jf::get_bool(body, "public", "public");
    put.auto_update = jf::get_bool(body, "auto_update", "auto_update");
    put.expires_at = jf::get_string(body, "expires_at", "expires_at");
    // LXD's zero time means "never".
    if (put.expires_at.rfind("0001-01-01", 0) == 0) put.expires_at.clear();
    return put;
}

std::string to_json(const ImagePut& p) {
    return json{{"properties", p.properties}, {"public", p.public_}, {"auto_update", p.auto_update},
                {"expires_at", p.expires_at.empty() ? "0001-01-01T00:00:00Z" : p.expires_at}, {"profiles", json::array({"default"})}}
        .dump();
}

std::map<std::string, std::string> string_map_from_json(std::string_view text, const std::string& field) {
    json body = json_fields::parse(text, field);
    json wrapper{{"v", body}};
    return json_fields::get_string_map(wrapper, "v", field);
}

std::string string_map_to_json(const std::map<std::string, std::string>& map) { return json(map).dump(); }

std::string strings_to_json(const std::vector<std::string>& strings) { return json(strings).dump(); }

namespace {
json alias_to_json(const ImageAliasesEntry& a) {
    return json{{"name", a.name}, {"description", a.description}, {"target", a.target}, {"type", a.type}};
}
}  // namespace

std::string to_json(const ImageAliasesEntry& alias) { return alias_to_json(alias).dump(); }

std::string to_json(const std::vector<ImageAliasesEntry>& aliases) {
    json out = json::array();
    for (const auto& a : aliases) out.push_back(alias_to_json(a));
    return out.dump();
}

}  // namespace li::api
