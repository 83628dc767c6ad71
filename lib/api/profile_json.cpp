// Profiles: JSON <-> api.ProfilesPost, api.ProfilePut, api.Profile.
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/profile.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {
json profile_to_json(const Profile& p) {
    return json{{"name", p.name},       {"description", p.description}, {"config", p.config},
                {"devices", p.devices}, {"used_by", p.used_by}};
}

}  // namespace

ProfilesPost profiles_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "profile definition");
    ProfilesPost post;
    post.name = jf::get_string(body, "name", "name");
    post.description = jf::get_string(body, "description", "description");
    post.config = jf::get_string_map(body, "config", "config");
    post.devices = jf::get_device_map(body, "devices", "devices");
    return post;
}

ProfilePut profile_put_from_json(std::string_view text) {
    json body = jf::parse_object(text, "profile definition");
    ProfilePut put;
    put.description = jf::get_string(body, "description", "description");
    put.config = jf::get_string_map(body, "config", "config");
    put.devices = jf::get_device_map(body, "devices", "devices");
    return put;
}

std::string to_json(const ProfilesPost& p) {
    return json{{"name", p.name}, {"description", p.description}, {"config", p.config}, {"devices", p.devices}}.dump();
}

std::string to_json(const ProfilePut& p) {
    return json{{"description", p.description}, {"config", p.config}, {"devices", p.devices}}.dump();
}

std::string to_json(const Profile& profile) { return profile_to_json(profile).dump(); }

std::string to_json(const std::vector<Profile>& profiles) {
    json out = json::array();
    for (const auto& p : profiles) out.push_back(profile_to_json(p));
    return out.dump();
}

ProfilePut put_of(const Profile& p) { return ProfilePut{p.description, p.config, p.devices}; }

}  // namespace li::api
