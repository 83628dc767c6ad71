#include "store/pool_repo.hpp"

#include "store/kv.hpp"

namespace li::repo {

void update_pool(SQLite::Database& db, int64_t id, const std::string& description, const std::map<std::string, std::string>& config) {
    SQLite::Statement upd(db, "UPDATE storage_pools SET description = ? WHERE id = ?");
    upd.bind(1, description);
    upd.bind(2, id);
    upd.exec();
    kv::store_config(db, "storage_pools_config", "pool_id", id, config);
}

bool delete_pool(SQLite::Database& db, const std::string& name) {
    SQLite::Statement del(db, "DELETE FROM storage_pools WHERE name = ?");
    del.bind(1, name);
    return del.exec() > 0;
}

std::vector<std::pair<std::string, std::string>> profiles_using_pool(SQLite::Database& db, const std::string& pool) {
    SQLite::Statement q(db,
                        "SELECT DISTINCT p.project, p.name FROM profiles p JOIN profiles_devices d ON d.profile_id = p.id "
                        "WHERE d.key = 'pool' AND d.value = ? ORDER BY p.project, p.name");
    q.bind(1, pool);
    std::vector<std::pair<std::string, std::string>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
}

std::vector<std::string> instance_projects(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT DISTINCT project FROM instances ORDER BY project");
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

bool fingerprint_in_use(SQLite::Database& db, const std::string& fingerprint) {
    SQLite::Statement images(db, "SELECT 1 FROM images WHERE fingerprint = ?");
    images.bind(1, fingerprint);
    if (images.executeStep()) return true;
    SQLite::Statement instances(db, "SELECT 1 FROM instances_config WHERE key = 'volatile.base_image' AND value = ?");
    instances.bind(1, fingerprint);
    return instances.executeStep();
}

std::vector<std::string> image_fingerprints(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT DISTINCT fingerprint FROM images ORDER BY fingerprint");
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

}  // namespace li::repo
