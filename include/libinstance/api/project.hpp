#pragma once
// LXD REST schema types for projects (api.ProjectsPost, api.ProjectPut, api.Project,
// api.ProjectState).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li::api {

/// LXD's api.ProjectPut: a project's writable fields (PUT replaces them all).
struct ProjectPut {
    std::string description;
    ConfigMap config;
};

/// LXD's api.ProjectsPost: what creating a project takes.
struct ProjectsPost {
    std::string name;
    std::string description;
    ConfigMap config;
};

/// LXD's api.Project.
struct Project {
    std::string name;
    std::string description;
    ConfigMap config;
    /// API URLs of what lives in the project: instances, images, profiles, custom volumes and
    /// networks ("?project=P" appended outside the default project).
    std::vector<std::string> used_by;
};

/// One resource of a project: what is in use against its limit (-1: none).
struct ProjectStateResource {
    int64_t limit = -1;
    int64_t usage = 0;
};

/// LXD's api.ProjectState. Resources: "instances", "containers", "virtual-machines", "cpu",
/// "memory" (bytes), "processes", "disk" (bytes), "networks". In JSON the resource fields are
/// LXD's capitalised "Limit" and "Usage".
struct ProjectState {
    std::map<std::string, ProjectStateResource> resources;
};

/// Parses a ProjectsPost document; bad fields raise InvalidArgument naming the field.
ProjectsPost projects_post_from_json(std::string_view json);
/// Parses a ProjectPut document (a whole Project is accepted; name and used_by are ignored).
ProjectPut project_put_from_json(std::string_view json);
std::string to_json(const ProjectsPost& post);
std::string to_json(const ProjectPut& put);
std::string to_json(const Project& project);
std::string to_json(const std::vector<Project>& projects);
std::string to_json(const ProjectState& state);
/// The writable fields of a project (what a GET then PUT sends back).
ProjectPut put_of(const Project& project);

}  // namespace li::api
