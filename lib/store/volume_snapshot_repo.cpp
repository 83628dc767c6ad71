#include "store/volume_snapshot_repo.hpp"

#include "store/kv.hpp"

namespace li::repo {

namespace {
constexpr const char* kColumns = "id, volume_id, name, description, created_at, expires_at";
constexpr const char* kConfigTable = "storage_volumes_snapshots_config";

VolumeSnapshotRecord from_row(SQLite::Database& db, SQLite::Statement& q) {
    VolumeSnapshotRecord s;
    s.id = q.getColumn(0).getInt64();
    s.volume_id = q.getColumn(1).getInt64();
    s.name = q.getColumn(2).getString();
    s.description = q.getColumn(3).getString();
    s.created_at = q.getColumn(4).getString();
    s.expires_at = q.getColumn(5).getString();
    s.config = kv::load_config(db, kConfigTable, "snapshot_id", s.id);
    return s;
}
}  // namespace

std::optional<VolumeSnapshotRecord> find_volume_snapshot(SQLite::Database& db, int64_t volume_id, const std::string& name) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM storage_volumes_snapshots WHERE volume_id = ? AND name = ?");
    q.bind(1, volume_id);
    q.bind(2, name);
    if (!q.executeStep()) return std::nullopt;
    return from_row(db, q);
}

std::vector<VolumeSnapshotRecord> list_volume_snapshots(SQLite::Database& db, int64_t volume_id) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM storage_volumes_snapshots WHERE volume_id = ? ORDER BY id");
    q.bind(1, volume_id);
    std::vector<VolumeSnapshotRecord> out;
    while (q.executeStep()) out.push_back(from_row(db, q));
    return out;
}

int64_t insert_volume_snapshot(SQLite::Database& db, const VolumeSnapshotRecord& s) {
    SQLite::Statement ins(db, "INSERT INTO storage_volumes_snapshots (volume_id, name, description, created_at, expires_at) "
                              "VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, s.volume_id);
    ins.bind(2, s.name);
    ins.bind(3, s.description);
    ins.bind(4, s.created_at);
    ins.bind(5, s.expires_at);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, kConfigTable, "snapshot_id", id, s.config);
    return id;
}

void update_volume_snapshot(SQLite::Database& db, const VolumeSnapshotRecord& s) {
    SQLite::Statement upd(db, "UPDATE storage_volumes_snapshots SET name = ?, description = ?, expires_at = ? WHERE id = ?");
    upd.bind(1, s.name);
    upd.bind(2, s.description);
    upd.bind(3, s.expires_at);
    upd.bind(4, s.id);
    upd.exec();
}

void delete_volume_snapshot(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM storage_volumes_snapshots WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

}  // namespace li::repo
