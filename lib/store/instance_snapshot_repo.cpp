#include "store/instance_snapshot_repo.hpp"

#include <nlohmann/json.hpp>

#include "store/kv.hpp"

namespace li::repo {

namespace {

constexpr const char* kColumns =
    "id, instance_id, name, description, architecture, ephemeral, stateful, created_at, expires_at, last_used_at, profiles";
constexpr const char* kConfig = "instances_snapshots_config";
constexpr const char* kDevices = "instances_snapshots_devices";

std::vector<std::string> profiles_from_text(const std::string& text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    std::vector<std::string> out;
    if (!parsed.is_array()) return out;
    for (const auto& name : parsed)
        if (name.is_string()) out.push_back(name.get<std::string>());
    return out;
}

InstanceSnapshotRecord from_row(SQLite::Database& db, SQLite::Statement& q) {
    InstanceSnapshotRecord s;
    s.id = q.getColumn(0).getInt64();
    s.instance_id = q.getColumn(1).getInt64();
    s.name = q.getColumn(2).getString();
    s.description = q.getColumn(3).getString();
    s.architecture = q.getColumn(4).getString();
    s.ephemeral = q.getColumn(5).getInt() != 0;
    s.stateful = q.getColumn(6).getInt() != 0;
    s.created_at = q.getColumn(7).getString();
    s.expires_at = q.getColumn(8).getString();
    s.last_used_at = q.getColumn(9).getString();
    s.profiles = profiles_from_text(q.getColumn(10).getString());
    s.config = kv::load_config(db, kConfig, "snapshot_id", s.id);
    s.devices = kv::load_devices(db, kDevices, "snapshot_id", s.id);
    return s;
}

}  // namespace

std::optional<InstanceSnapshotRecord> find_instance_snapshot(SQLite::Database& db, int64_t instance_id, const std::string& name) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM instances_snapshots WHERE instance_id = ? AND name = ?");
    q.bind(1, instance_id);
    q.bind(2, name);
    if (!q.executeStep()) return std::nullopt;
    return from_row(db, q);
}

std::vector<InstanceSnapshotRecord> list_instance_snapshots(SQLite::Database& db, int64_t instance_id) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM instances_snapshots WHERE instance_id = ? ORDER BY id");
    q.bind(1, instance_id);
    std::vector<InstanceSnapshotRecord> out;
    while (q.executeStep()) out.push_back(from_row(db, q));
    return out;
}

int64_t insert_instance_snapshot(SQLite::Database& db, const InstanceSnapshotRecord& s) {
    SQLite::Statement ins(db, "INSERT INTO instances_snapshots (instance_id, name, description, architecture, ephemeral, "
                              "stateful, created_at, expires_at, last_used_at, profiles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, s.instance_id);
    ins.bind(2, s.name);
    ins.bind(3, s.description);
    ins.bind(4, s.architecture);
    ins.bind(5, s.ephemeral ? 1 : 0);
    ins.bind(6, s.stateful ? 1 : 0);
    ins.bind(7, s.created_at);
    ins.bind(8, s.expires_at);
    ins.bind(9, s.last_used_at);
    ins.bind(10, nlohmann::json(s.profiles).dump());
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, kConfig, "snapshot_id", id, s.config);
    kv::store_devices(db, kDevices, "snapshot_id", id, s.devices);
    return id;
}

void update_instance_snapshot(SQLite::Database& db, const InstanceSnapshotRecord& s) {
    SQLite::Statement upd(db, "UPDATE instances_snapshots SET name = ?, description = ?, expires_at = ? WHERE id = ?");
    upd.bind(1, s.name);
    upd.bind(2, s.description);
    upd.bind(3, s.expires_at);
    upd.bind(4, s.id);
    upd.exec();
    kv::store_devices(db, kDevices, "snapshot_id", s.id, s.devices);  // a pool move repoints the root disk
}

void delete_instance_snapshot(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM instances_snapshots WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

}  // namespace li::repo
