#include "api/image_publish_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

ImagePublishOptions image_publish_from_json(std::string_view text) {
    json body = jf::parse(text, "publish request");
    if (!body.is_object()) throw Error::invalid("body", "the publish request must be a JSON object");
    ImagePublishOptions opts;
    auto src = body.find("source");
    if (src == body.end() || !src->is_object()) throw Error::invalid("source", "field \"source\" must be an object naming the instance");
    std::string type = jf::get_string(*src, "type", "source.type");
    if (type != "instance" && type != "container" && type != "snapshot" && type != "virtual-machine")
        throw Error::invalid("source.type", fmt::format("source type \"{}\" cannot be published (use \"instance\")", type));
    opts.instance = jf::get_string(*src, "name", "source.name");
    if (opts.instance.empty()) throw Error::invalid("source.name", "field \"source.name\" must name the instance");
    // LXD names a snapshot source "c1/snap0" with type "snapshot", and an instance without a "/".
    if ((type == "snapshot") != (opts.instance.find('/') != std::string::npos))
        throw Error::invalid("source.name", type == "snapshot"
                                                ? fmt::format("snapshot source \"{}\" must be named INSTANCE/SNAPSHOT", opts.instance)
                                                : fmt::format("source \"{}\" names a snapshot: use type \"snapshot\"", opts.instance));
    if (auto it = body.find("aliases"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) throw Error::invalid("aliases", "field \"aliases\" must be an array of {\"name\": ...}");
        if (it->size() > 1) throw Error::invalid("aliases", "publish takes at most one alias");
        for (const auto& a : *it) {
            if (!a.is_object()) throw Error::invalid("aliases", "field \"aliases\" must be an array of {\"name\": ...}");
            opts.alias = jf::get_string(a, "name", "aliases.name");
        }
    }
    for (const auto& [k, v] : jf::get_string_map(body, "properties", "properties")) opts.properties[k] = v;
    std::string compression = jf::get_string(body, "compression_algorithm", "compression_algorithm");
    if (!compression.empty()) opts.compression = compression;
    opts.public_ = jf::get_bool(body, "public", "public");
    opts.expires_at = jf::get_string(body, "expires_at", "expires_at");
    // LXD's zero time means "never".
    if (opts.expires_at.rfind("0001-01-01", 0) == 0) opts.expires_at.clear();
    return opts;
}

}  // namespace li::api
