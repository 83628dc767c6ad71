// Profiles over REST: /1.0/profiles and /1.0/profiles/<name>, scoped by ?project=.
#include <fmt/format.h>

#include "api/response_json_objects.hpp"
#include "client/rest_objects.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

std::map<std::string, std::string> if_match_header(std::string_view etag) {
    std::map<std::string, std::string> headers;
    if (!etag.empty()) headers["If-Match"] = fmt::format("\"{}\"", etag);
    return headers;
}

namespace {

std::string profile_path(std::string_view project, std::string_view name) {
    return with_project(fmt::format("/1.0/profiles/{}", url_escape(name)), project);
}

}  // namespace

api::Profile create_profile(const Rest& rest, std::string_view project, const api::ProfilesPost& post) {
    json body = json::parse(api::to_json(post));
    rest->request("POST", with_project("/1.0/profiles", project), &body);
    return get_profile(rest, project, post.name);
}

api::Profile get_profile(const Rest& rest, std::string_view project, std::string_view name) {
    return profile_from_json(rest->get(profile_path(project, name)).metadata);
}

std::vector<api::Profile> list_profiles(const Rest& rest, std::string_view project) {
    auto response = rest->get(with_project("/1.0/profiles?recursion=1", project));
    return list_from_json<api::Profile>(response.metadata, profile_from_json);
}

bool profile_exists(const Rest& rest, std::string_view project, std::string_view name) {
    try {
        rest->get(profile_path(project, name));
        return true;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) return false;
        throw;
    }
}

std::string profile_etag(const Rest& rest, std::string_view project, std::string_view name) {
    return rest->get(profile_path(project, name)).etag;
}

void update_profile(const Rest& rest, std::string_view project, std::string_view name, const api::ProfilePut& put,
                    std::string_view if_match) {
    json body = json::parse(api::to_json(put));
    rest->request("PUT", profile_path(project, name), &body, if_match_header(if_match));
}

void rename_profile(const Rest& rest, std::string_view project, std::string_view name, std::string_view new_name) {
    json body{{"name", new_name}};
    operation_of(rest, rest->request("POST", profile_path(project, name), &body), "Renaming profile").get();
}

void delete_profile(const Rest& rest, std::string_view project, std::string_view name) {
    operation_of(rest, rest->request("DELETE", profile_path(project, name)), "Deleting profile").get();
}

}  // namespace li::rest
