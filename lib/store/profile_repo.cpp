#include "store/profile_repo.hpp"

#include "store/kv.hpp"
#include "store/project_repo.hpp"

namespace li::repo {

std::optional<ProfileRecord> find_profile(SQLite::Database& db, const std::string& project_in, const std::string& name) {
    const std::string project = project_for(db, project_in, ProjectFeature::Profiles);
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
    ins.bind(1, project_for(db, profile.project, ProjectFeature::Profiles));
    ins.bind(2, profile.name);
    ins.bind(3, profile.description);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, "profiles_config", "profile_id", id, profile.config);
    kv::store_devices(db, "profiles_devices", "profile_id", id, profile.devices);
    return id;
}

std::vector<ProfileRecord> list_profiles(SQLite::Database& db, const std::string& project_in) {
    const std::string project = project_for(db, project_in, ProjectFeature::Profiles);
    std::vector<std::string> names;
    SQLite::Statement q(db, "SELECT name FROM profiles WHERE project = ? ORDER BY name");
    q.bind(1, project);
    while (q.executeStep()) names.push_back(q.getColumn(0).getString());
    std::vector<ProfileRecord> out;
    for (const auto& name : names)
        if (auto p = find_profile(db, project, name)) out.push_back(std::move(*p));
    return out;
}

void update_profile(SQLite::Database& db, const ProfileRecord& profile) {
    SQLite::Statement upd(db, "UPDATE profiles SET description = ? WHERE id = ?");
    upd.bind(1, profile.description);
    upd.bind(2, profile.id);
    upd.exec();
    kv::store_config(db, "profiles_config", "profile_id", profile.id, profile.config);
    kv::store_devices(db, "profiles_devices", "profile_id", profile.id, profile.devices);
}

void rename_profile(SQLite::Database& db, int64_t id, const std::string& new_name) {
    SQLite::Statement upd(db, "UPDATE profiles SET name = ? WHERE id = ?");
    upd.bind(1, new_name);
    upd.bind(2, id);
    upd.exec();
}

void delete_profile(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM profiles WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

std::vector<std::pair<std::string, std::string>> instances_using_profile(SQLite::Database& db, int64_t profile_id) {
    std::vector<std::pair<std::string, std::string>> out;
    SQLite::Statement q(db, "SELECT i.project, i.name FROM instances_profiles ip JOIN instances i ON i.id = ip.instance_id "
                            "WHERE ip.profile_id = ? ORDER BY i.name, i.project");
    q.bind(1, profile_id);
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
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
