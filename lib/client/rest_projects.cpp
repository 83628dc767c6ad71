// Project writes over REST: POST /1.0/projects, PUT/POST/DELETE /1.0/projects/<name>, and its
// /state (the reads are in rest_server.cpp).
#include <fmt/format.h>

#include "api/response_json_objects.hpp"
#include "client/rest_objects.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

namespace {

std::string project_path(std::string_view name, std::string_view tail = {}) {
    return fmt::format("/1.0/projects/{}{}", url_escape(name), tail);
}

}  // namespace

api::Project create_project(const Rest& rest, const api::ProjectsPost& post) {
    json body = json::parse(api::to_json(post));
    operation_of(rest, rest->request("POST", "/1.0/projects", &body), "Creating project").get();
    // Read back: the server fills in the default features.
    return get_project(rest, post.name);
}

std::string project_etag(const Rest& rest, std::string_view name) { return rest->get(project_path(name)).etag; }

void update_project(const Rest& rest, std::string_view name, const api::ProjectPut& put, std::string_view if_match) {
    json body = json::parse(api::to_json(put));
    operation_of(rest, rest->request("PUT", project_path(name), &body, if_match_header(if_match)), "Updating project").get();
}

void rename_project(const Rest& rest, std::string_view name, std::string_view new_name) {
    json body{{"name", new_name}};
    // LXD answers a project rename with an operation; waiting makes the call synchronous as locally.
    operation_of(rest, rest->request("POST", project_path(name), &body), "Renaming project").get();
}

void delete_project(const Rest& rest, std::string_view name) {
    operation_of(rest, rest->request("DELETE", project_path(name)), "Deleting project").get();
}

api::ProjectState project_state(const Rest& rest, std::string_view name) {
    return project_state_from_json(rest->get(project_path(name, "/state")).metadata);
}

}  // namespace li::rest
