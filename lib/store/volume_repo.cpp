#include "store/volume_repo.hpp"

#include "store/kv.hpp"
#include "store/project_repo.hpp"

namespace li::repo {

namespace {
constexpr const char* kColumns = "id, pool_id, project, name, type, content_type, description, created_at";

// Custom volumes live in the project whose volumes the project uses (features.storage.volumes),
// image volumes in its images' project; instance volumes always in the instance's own.
std::string volume_project(SQLite::Database& db, const std::string& project, const std::string& type) {
    if (type == "custom") return project_for(db, project, ProjectFeature::StorageVolumes);
    if (type == "image") return project_for(db, project, ProjectFeature::Images);
    return project_for(db, project, ProjectFeature::None);
}

VolumeRecord from_row(SQLite::Database& db, SQLite::Statement& q) {
    VolumeRecord v;
    v.id = q.getColumn(0).getInt64();
    v.pool_id = q.getColumn(1).getInt64();
    v.project = q.getColumn(2).getString();
    v.name = q.getColumn(3).getString();
    v.type = q.getColumn(4).getString();
    v.content_type = q.getColumn(5).getString();
    v.description = q.getColumn(6).getString();
    v.created_at = q.getColumn(7).getString();
    v.config = kv::load_config(db, "storage_volumes_config", "volume_id", v.id);
    return v;
}
}  // namespace

std::optional<VolumeRecord> find_volume(SQLite::Database& db, int64_t pool_id, const std::string& project,
                                        const std::string& type, const std::string& name) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                                " FROM storage_volumes WHERE pool_id = ? AND project = ? AND type = ? AND name = ?");
    q.bind(1, pool_id);
    q.bind(2, volume_project(db, project, type));
    q.bind(3, type);
    q.bind(4, name);
    if (!q.executeStep()) return std::nullopt;
    return from_row(db, q);
}

std::vector<VolumeRecord> list_volumes(SQLite::Database& db, int64_t pool_id, const std::string& project) {
    // A project's own instance volumes, plus the custom and image volumes of the projects whose
    // volumes and images it uses.
    SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                                " FROM storage_volumes WHERE pool_id = ? AND ((type = 'custom' AND project = ?) OR "
                                "(type = 'image' AND project = ?) OR (type NOT IN ('custom', 'image') AND project = ?)) "
                                "ORDER BY name");
    q.bind(1, pool_id);
    q.bind(2, volume_project(db, project, "custom"));
    q.bind(3, volume_project(db, project, "image"));
    q.bind(4, volume_project(db, project, "container"));
    std::vector<VolumeRecord> out;
    while (q.executeStep()) out.push_back(from_row(db, q));
    return out;
}

std::vector<std::pair<std::string, std::string>> volumes_on_pool(SQLite::Database& db, const std::string& pool) {
    SQLite::Statement q(db, "SELECT v.project, v.name FROM storage_volumes v JOIN storage_pools p ON p.id = v.pool_id "
                            "WHERE p.name = ? ORDER BY v.project, v.name");
    q.bind(1, pool);
    std::vector<std::pair<std::string, std::string>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
}

int64_t insert_volume(SQLite::Database& db, const VolumeRecord& v) {
    SQLite::Statement ins(db, "INSERT INTO storage_volumes (pool_id, project, name, type, content_type, description, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, v.pool_id);
    ins.bind(2, volume_project(db, v.project, v.type));
    ins.bind(3, v.name);
    ins.bind(4, v.type);
    ins.bind(5, v.content_type);
    ins.bind(6, v.description);
    ins.bind(7, v.created_at);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, "storage_volumes_config", "volume_id", id, v.config);
    return id;
}

void update_volume(SQLite::Database& db, const VolumeRecord& v) {
    SQLite::Statement upd(db, "UPDATE storage_volumes SET description = ? WHERE id = ?");
    upd.bind(1, v.description);
    upd.bind(2, v.id);
    upd.exec();
    kv::store_config(db, "storage_volumes_config", "volume_id", v.id, v.config);
}

void rename_volume(SQLite::Database& db, int64_t id, const std::string& new_name) {
    SQLite::Statement upd(db, "UPDATE storage_volumes SET name = ? WHERE id = ?");
    upd.bind(1, new_name);
    upd.bind(2, id);
    upd.exec();
}

void delete_volume(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM storage_volumes WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

}  // namespace li::repo
