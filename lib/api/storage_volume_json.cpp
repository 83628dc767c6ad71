// JSON of LXD's storage volume documents (StorageVolumesPost, StorageVolumePut, StorageVolume).
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/storage_volume.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {
json volume_to_json(const StorageVolume& v) {
    return json{
        {"name", v.name},         {"type", v.type},       {"content_type", v.content_type},
        {"description", v.description}, {"config", v.config}, {"used_by", v.used_by},
        {"location", v.location}, {"project", v.project}, {"created_at", v.created_at},
    };
}

json object_body(std::string_view text, const char* what) {
    json body = jf::parse(text, what);
    if (!body.is_object()) throw Error::invalid("body", std::string("the ") + what + " must be a JSON object");
    return body;
}
}  // namespace

StorageVolumesPost storage_volumes_post_from_json(std::string_view text) {
    json body = object_body(text, "storage volume definition");
    StorageVolumesPost post;
    post.name = jf::get_string(body, "name", "name");
    // Absent fields keep LXD's defaults: a custom filesystem volume.
    if (std::string type = jf::get_string(body, "type", "type"); !type.empty()) post.type = type;
    if (std::string ct = jf::get_string(body, "content_type", "content_type"); !ct.empty()) post.content_type = ct;
    post.description = jf::get_string(body, "description", "description");
    post.config = jf::get_string_map(body, "config", "config");
    return post;
}

StorageVolumePut storage_volume_put_from_json(std::string_view text) {
    json body = object_body(text, "storage volume update");
    StorageVolumePut put;
    put.description = jf::get_string(body, "description", "description");
    put.config = jf::get_string_map(body, "config", "config");
    return put;
}

std::string to_json(const StorageVolumesPost& p) {
    return json{{"name", p.name},
                {"type", p.type},
                {"content_type", p.content_type},
                {"description", p.description},
                {"config", p.config}}
        .dump();
}

std::string to_json(const StorageVolumePut& p) { return json{{"description", p.description}, {"config", p.config}}.dump(); }

std::string to_json(const StorageVolume& volume) { return volume_to_json(volume).dump(); }

std::string to_json(const std::vector<StorageVolume>& volumes) {
    json out = json::array();
    for (const auto& v : volumes) out.push_back(volume_to_json(v));
    return out.dump();
}

}  // namespace li::api
