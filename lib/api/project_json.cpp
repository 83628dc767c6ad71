// Projects: JSON <-> api.ProjectsPost, api.ProjectPut, api.Project, api.ProjectState.
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/project.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {
json project_to_json(const Project& p) {
    return json{{"name", p.name}, {"description", p.description}, {"config", p.config}, {"used_by", p.used_by}};
}
}  // namespace

ProjectsPost projects_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "project definition");
    ProjectsPost post;
    post.name = jf::get_string(body, "name", "name");
    post.description = jf::get_string(body, "description", "description");
    post.config = jf::get_string_map(body, "config", "config");
    return post;
}

ProjectPut project_put_from_json(std::string_view text) {
    json body = jf::parse_object(text, "project definition");
    ProjectPut put;
    put.description = jf::get_string(body, "description", "description");
    put.config = jf::get_string_map(body, "config", "config");
    return put;
}

std::string to_json(const ProjectsPost& p) {
    return json{{"name", p.name}, {"description", p.description}, {"config", p.config}}.dump();
}

std::string to_json(const ProjectPut& p) { return json{{"description", p.description}, {"config", p.config}}.dump(); }

std::string to_json(const Project& project) { return project_to_json(project).dump(); }

std::string to_json(const std::vector<Project>& projects) {
    json out = json::array();
    for (const auto& p : projects) out.push_back(project_to_json(p));
    return out.dump();
}

// LXD's ProjectStateResource has no json tags, so its fields are Go's capitalised names.
std::string to_json(const ProjectState& state) {
    json resources = json::object();
    for (const auto& [name, r] : state.resources) resources[name] = json{{"Limit", r.limit}, {"Usage", r.usage}};
    return json{{"resources", resources}}.dump();
}

ProjectPut put_of(const Project& p) { return ProjectPut{p.description, p.config}; }

}  // namespace li::api
