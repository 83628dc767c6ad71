#include "store/profile_repo.hpp"

#include "store/kv.hpp"

namespace li::repo {

std::optional<ProfileRecord> find_profile(SQLite::Database& db, const std::string& project, const std::string& name) {
    SQLite::Statement q(db, "SELECT id, description FROM profiles WHERE project = ? AND name = ?");
    q.bind(1, project);
    q.bind(2, name);
    if (!q.executeStep()) return std::nullopt;
    ProfileRecord p;
    p.id = q.getColumn(0).getInt64();
    p.project = project;
    p.name = name;
    p.description = q.getColumn(1).getString();
    p.config = kv::load_config(db, "profiles_config", "profile_id", p.id);
    p.devices = kv::load_devices(db, "profiles_devices", "profile_id", p.id);
    return p;
}

int64_t insert_profile(SQLite::Database& db, const ProfileRecord& profile) {
    SQLite::Statement ins(db, "INSERT INTO profiles (project, name, description) VALUES (?, ?, ?)");
    ins.bind(1, profile.project);
    ins.bind(2, profile.name);
    ins.bind(3, profile.description);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, "profiles_config", "profile_id", id, profile.config);
    kv::store_devices(db, "profiles_devices", "profile_id", id, profile.devices);
    return id;
}

namespace {
PoolRecord pool_from_row(SQLite::Database& db, SQLite::Statement& q) {
    PoolRecord p;
    p.id = q.getColumn(0).getInt64();
    p.name = q.getColumn(1).getString();
    p.driver = q.getColumn(2).getString();
    p.description = q.getColumn(3).getString();
    p.config = kv::load_config(db, "storage_pools_config", "pool_id", p.id);
    return p;
}
}  // namespace

std::optional<PoolRecord> find_pool(SQLite::Database& db, const std::string& name) {
    SQLite::Statement q(db, "SELECT id, name, driver, description FROM storage_pools WHERE name = ?");
    q.bind(1, name);
    if (!q.executeStep()) return std::nullopt;
    return pool_from_row(db, q);
}

std::vector<PoolRecord> list_pools(SQLite::Database& db) {
    std::vector<PoolRecord> out;
    SQLite::Statement q(db, "SELECT id, name, driver, description FROM storage_pools ORDER BY name");
    while (q.executeStep()) out.push_back(pool_from_row(db, q));
    return out;
}

int64_t insert_pool(SQLite::Database& db, const PoolRecord& pool) {
    SQLite::Statement ins(db, "INSERT INTO storage_pools (name, driver, description) VALUES (?, ?, ?)");
    ins.bind(1, pool.name);
    ins.bind(2, pool.driver);
    ins.bind(3, pool.description);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, "storage_pools_config", "pool_id", id, pool.config);
    return id;
}

}  // namespace li::repo
