#pragma once
// Projects in the state database, and which project's objects a project uses (its features).

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li {

struct ProjectRecord {
    int64_t id = 0;
    std::string name;
    std::string description;
    api::ConfigMap config;
};

/// The kinds of objects a project may have its own of (features.*) or share with `default`.
enum class ProjectFeature { None, Images, Profiles, StorageVolumes, Networks };

namespace repo {

std::optional<ProjectRecord> find_project(SQLite::Database& db, const std::string& name);
/// Every project, by name.
std::vector<ProjectRecord> list_projects(SQLite::Database& db);
int64_t insert_project(SQLite::Database& db, const ProjectRecord& project);
/// Replaces description and config of the project project.id.
void update_project(SQLite::Database& db, const ProjectRecord& project);
/// Renames an (empty) project and what it owns that carries its name (its own profiles).
void rename_project(SQLite::Database& db, const std::string& name, const std::string& new_name);
/// Deletes a project and its own profiles.
void delete_project(SQLite::Database& db, const std::string& name);

/// The project whose objects of this kind `project` uses: `project` itself when it has the
/// feature (or for ProjectFeature::None), else "default"; "" means "default". NotFound (key
/// "project") when there is no such project, so every lookup through here refuses unknown projects.
std::string project_for(SQLite::Database& db, const std::string& project, ProjectFeature feature);

}  // namespace repo
}  // namespace li
