#include "project/project_scope.hpp"

#include "core/manager_core.hpp"

namespace li {

std::string project_scope(ManagerCore& core, std::string_view project, ProjectFeature feature) {
    if (project.empty() || project == "default") return "default";  // always there, every feature
    return core.db().read([&](SQLite::Database& db) { return repo::project_for(db, std::string(project), feature); });
}

}  // namespace li
