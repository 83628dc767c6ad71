#pragma once
// What the snapshot scheduler reads and writes in the state database: every instance, the taken
// slots, and the snapshots with an expiry.

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

namespace li::repo {

struct InstanceName {
    int64_t id = 0;
    std::string project;
    std::string name;
};

struct ExpiringSnapshot {
    std::string project;
    std::string instance;
    std::string snapshot;
    std::string expires_at;
};

/// Every instance of every project, by project then name.
std::vector<InstanceName> list_all_instances(SQLite::Database& db);
/// Records that the instance's slot `minute` (minutes since the epoch) is being taken: false
/// when it already was, by anyone.
bool claim_schedule_slot(SQLite::Database& db, int64_t instance_id, int64_t minute);
/// Forgets the slots before `minute`.
void prune_schedule_slots(SQLite::Database& db, int64_t minute);
/// The instance snapshots that have an expires_at, oldest first.
std::vector<ExpiringSnapshot> list_expiring_snapshots(SQLite::Database& db);

}  // namespace li::repo
