#include "store/network_repo.hpp"

#include "api/config_map_json.hpp"

#include "store/project_repo.hpp"

namespace li::repo {

namespace {
constexpr const char* kColumns = "SELECT id, project, name, description, type, config, status FROM networks ";

NetworkRecord network_from_row(SQLite::Statement& q) {
    NetworkRecord n;
    n.id = q.getColumn(0).getInt64();
    n.project = q.getColumn(1).getString();
    n.name = q.getColumn(2).getString();
    n.description = q.getColumn(3).getString();
    n.type = q.getColumn(4).getString();
    n.config = api::config_map_from_json(q.getColumn(5).getString(), "config");
    n.status = q.getColumn(6).getString();
    return n;
}

std::vector<std::pair<std::string, std::string>> pairs(SQLite::Statement& q) {
    std::vector<std::pair<std::string, std::string>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
}
}  // namespace

std::optional<NetworkRecord> find_network(SQLite::Database& db, const std::string& project_in, const std::string& name) {
    const std::string project = project_for(db, project_in, ProjectFeature::Networks);
    SQLite::Statement q(db, std::string(kColumns) + "WHERE project = ? AND name = ?");
    q.bind(1, project);
    q.bind(2, name);
    if (!q.executeStep()) return std::nullopt;
    return network_from_row(q);
}

std::vector<NetworkRecord> list_networks(SQLite::Database& db, const std::string& project_in) {
    const std::string project = project_for(db, project_in, ProjectFeature::Networks);
    SQLite::Statement q(db, std::string(kColumns) + "WHERE project = ? ORDER BY name");
    q.bind(1, project);
    std::vector<NetworkRecord> out;
    while (q.executeStep()) out.push_back(network_from_row(q));
    return out;
}

std::vector<NetworkRecord> list_all_networks(SQLite::Database& db) {
    SQLite::Statement q(db, std::string(kColumns) + "ORDER BY project, name");
    std::vector<NetworkRecord> out;
    while (q.executeStep()) out.push_back(network_from_row(q));
    return out;
}

int64_t insert_network(SQLite::Database& db, const NetworkRecord& n) {
    SQLite::Statement ins(db, "INSERT INTO networks (project, name, description, type, config, status) VALUES (?, ?, ?, ?, ?, ?)");
    ins.bind(1, project_for(db, n.project, ProjectFeature::Networks));
    ins.bind(2, n.name);
    ins.bind(3, n.description);
    ins.bind(4, n.type);
    ins.bind(5, api::config_map_to_json(n.config));
    ins.bind(6, n.status);
    ins.exec();
    return db.getLastInsertRowid();
}

void update_network(SQLite::Database& db, const NetworkRecord& n) {
    SQLite::Statement upd(db, "UPDATE networks SET description = ?, config = ?, status = ? WHERE id = ?");
    upd.bind(1, n.description);
    upd.bind(2, api::config_map_to_json(n.config));
    upd.bind(3, n.status);
    upd.bind(4, n.id);
    upd.exec();
}

void rename_network(SQLite::Database& db, int64_t id, const std::string& new_name) {
    SQLite::Statement upd(db, "UPDATE networks SET name = ? WHERE id = ?");
    upd.bind(1, new_name);
    upd.bind(2, id);
    upd.exec();
}

void delete_network(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM networks WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

std::vector<std::pair<std::string, std::string>> instances_using_network(SQLite::Database& db, const std::string& network) {
    SQLite::Statement q(db, "SELECT DISTINCT i.project, i.name FROM instances i JOIN instances_devices d ON d.instance_id = i.id "
                            "WHERE d.key = 'network' AND d.value = ? ORDER BY i.project, i.name");
    q.bind(1, network);
    return pairs(q);
}

std::vector<std::pair<std::string, std::string>> profiles_using_network(SQLite::Database& db, const std::string& network) {
    SQLite::Statement q(db, "SELECT DISTINCT p.project, p.name FROM profiles p JOIN profiles_devices d ON d.profile_id = p.id "
                            "WHERE d.key = 'network' AND d.value = ? ORDER BY p.project, p.name");
    q.bind(1, network);
    return pairs(q);
}

}  // namespace li::repo
