#include "store/snapshot_schedule_repo.hpp"

namespace li::repo {

std::vector<InstanceName> list_all_instances(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT id, project, name FROM instances ORDER BY project, name");
    std::vector<InstanceName> out;
    while (q.executeStep()) out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString()});
    return out;
}

bool claim_schedule_slot(SQLite::Database& db, int64_t instance_id, int64_t minute) {
    SQLite::Statement q(db, "INSERT OR IGNORE INTO instances_snapshot_schedule_slots (instance_id, minute) VALUES (?, ?)");
    q.bind(1, instance_id);
    q.bind(2, minute);
    return q.exec() == 1;
}

void prune_schedule_slots(SQLite::Database& db, int64_t minute) {
    SQLite::Statement q(db, "DELETE FROM instances_snapshot_schedule_slots WHERE minute < ?");
    q.bind(1, minute);
    q.exec();
}

std::vector<ExpiringSnapshot> list_expiring_snapshots(SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT i.project, i.name, s.name, s.expires_at FROM instances_snapshots s "
                        "JOIN instances i ON i.id = s.instance_id WHERE s.expires_at != '' ORDER BY s.id");
    std::vector<ExpiringSnapshot> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getString()});
    return out;
}

}  // namespace li::repo
