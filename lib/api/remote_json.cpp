// JSON of remotes and of image copies (LXD's ImagesPost).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/remote.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {

json remote_to_json(const Remote& r) {
    return json{{"name", r.name}, {"url", r.url}, {"protocol", r.protocol}, {"public", r.public_},
                {"certificate", r.certificate}};
}

json object_of(std::string_view text, const char* what) {
    json body = jf::parse(text, what);
    if (!body.is_object()) throw Error::invalid(what, fmt::format("the {} document must be a JSON object", what));
    return body;
}

}  // namespace

Remote remote_from_json(std::string_view text) {
    json body = object_of(text, "remote");
    Remote r;
    r.name = jf::get_string(body, "name", "name");
    r.url = jf::get_string(body, "url", "url");
    // lxc's config.yml calls it addr; accept both spellings.
    if (r.url.empty()) r.url = jf::get_string(body, "addr", "addr");
    std::string protocol = jf::get_string(body, "protocol", "protocol");
    if (!protocol.empty()) r.protocol = protocol;
    r.public_ = jf::get_bool(body, "public", "public");
    r.certificate = jf::get_string(body, "certificate", "certificate");
    return r;
}

std::string to_json(const Remote& remote) { return remote_to_json(remote).dump(); }

std::string to_json(const std::vector<Remote>& remotes) {
    json out = json::array();
    for (const auto& r : remotes) out.push_back(remote_to_json(r));
    return out.dump();
}

ImagesPost images_post_from_json(std::string_view text) {
    json body = object_of(text, "images_post");
    ImagesPost post;
    auto src = body.find("source");
    if (src == body.end() || !src->is_object()) throw Error::invalid("source", "field \"source\" must be an object naming the server and image");
    std::string type = jf::get_string(*src, "type", "source.type");
    if (!type.empty() && type != "image")
        throw Error::invalid("source.type", fmt::format("image source type \"{}\" is not supported (use \"image\")", type));
    std::string mode = jf::get_string(*src, "mode", "source.mode");
    if (!mode.empty() && mode != "pull")
        throw Error::invalid("source.mode", fmt::format("image source mode \"{}\" is not supported (use \"pull\")", mode));
    post.source.server = jf::get_string(*src, "server", "source.server");
    std::string protocol = jf::get_string(*src, "protocol", "source.protocol");
    if (!protocol.empty()) post.source.protocol = protocol;
    post.source.alias = jf::get_string(*src, "alias", "source.alias");
    post.source.fingerprint = jf::get_string(*src, "fingerprint", "source.fingerprint");
    post.source.certificate = jf::get_string(*src, "certificate", "source.certificate");
    if (auto it = body.find("aliases"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) throw Error::invalid("aliases", "field \"aliases\" must be an array of {\"name\": ...} objects");
        for (const auto& a : *it) {
            if (a.is_string()) {
                post.aliases.push_back({a.get<std::string>(), ""});
                continue;
            }
            if (!a.is_object()) throw Error::invalid("aliases", "field \"aliases\" must be an array of {\"name\": ...} objects");
            post.aliases.push_back({jf::get_string(a, "name", "aliases.name"), jf::get_string(a, "description", "aliases.description")});
        }
    }
    post.public_ = jf::get_bool(body, "public", "public");
    post.auto_update = jf::get_bool(body, "auto_update", "auto_update");
    post.copy_aliases = jf::get_bool(body, "copy_aliases", "copy_aliases");
    post.cached = jf::get_bool(body, "cached", "cached");
    return post;
}

}  // namespace li::api
