#include "store/project_repo.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "store/kv.hpp"

namespace li::repo {

namespace {

const char* feature_key(ProjectFeature feature) {
    switch (feature) {
    case ProjectFeature::Images: return "features.images";
    case ProjectFeature::Profiles: return "features.profiles";
    case ProjectFeature::StorageVolumes: return "features.storage.volumes";
    case ProjectFeature::Networks: return "features.networks";
    case ProjectFeature::None: break;
    }
    return nullptr;
}

}  // namespace

std::optional<ProjectRecord> find_project(SQLite::Database& db, const std::string& name) {
    SQLite::Statement q(db, "SELECT id, description FROM projects WHERE name = ?");
    q.bind(1, name);
    if (!q.executeStep()) return std::nullopt;
    ProjectRecord p;
    p.id = q.getColumn(0).getInt64();
    p.name = name;
    p.description = q.getColumn(1).getString();
    p.config = kv::load_config(db, "projects_config", "project_id", p.id);
    return p;
}

std::vector<ProjectRecord> list_projects(SQLite::Database& db) {
    std::vector<std::string> names;
    SQLite::Statement q(db, "SELECT name FROM projects ORDER BY name");
    while (q.executeStep()) names.push_back(q.getColumn(0).getString());
    std::vector<ProjectRecord> out;
    for (const auto& name : names)
        if (auto p = find_project(db, name)) out.push_back(std::move(*p));
    return out;
}

int64_t insert_project(SQLite::Database& db, const ProjectRecord& project) {
    SQLite::Statement ins(db, "INSERT INTO projects (name, description) VALUES (?, ?)");
    ins.bind(1, project.name);
    ins.bind(2, project.description);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, "projects_config", "project_id", id, project.config);
    return id;
}

void update_project(SQLite::Database& db, const ProjectRecord& project) {
    SQLite::Statement upd(db, "UPDATE projects SET description = ? WHERE id = ?");
    upd.bind(1, project.description);
    upd.bind(2, project.id);
    upd.exec();
    kv::store_config(db, "projects_config", "project_id", project.id, project.config);
}

void rename_project(SQLite::Database& db, const std::string& name, const std::string& new_name) {
    for (const char* sql : {"UPDATE projects SET name = ? WHERE name = ?", "UPDATE profiles SET project = ? WHERE project = ?"}) {
        SQLite::Statement upd(db, sql);
        upd.bind(1, new_name);
        upd.bind(2, name);
        upd.exec();
    }
}

void delete_project(SQLite::Database& db, const std::string& name) {
    for (const char* sql : {"DELETE FROM profiles WHERE project = ?", "DELETE FROM projects WHERE name = ?"}) {
        SQLite::Statement del(db, sql);
        del.bind(1, name);
        del.exec();
    }
}

std::string project_for(SQLite::Database& db, const std::string& project, ProjectFeature feature) {
    if (project.empty() || project == "default") return "default";
    SQLite::Statement q(db, "SELECT c.value FROM projects p LEFT JOIN projects_config c "
                            "ON c.project_id = p.id AND c.key = ? WHERE p.name = ?");
    const char* key = feature_key(feature);
    q.bind(1, key ? key : "");
    q.bind(2, project);
    if (!q.executeStep())
        throw Error(ErrorCode::NotFound, fmt::format("project \"{}\" not found", project), "project");
    if (!key) return project;
    return !q.getColumn(0).isNull() && q.getColumn(0).getString() == "true" ? project : "default";
}

}  // namespace li::repo
