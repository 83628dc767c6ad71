#pragma once
// Instance snapshots in the state database (LXD's instances_snapshots).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "libinstance/api/instance.hpp"

namespace li {

struct InstanceSnapshotRecord {
    int64_t id = 0;
    int64_t instance_id = 0;
    std::string name;
    std::string description;
    std::string architecture;
    bool ephemeral = false;
    bool stateful = false;
    std::string created_at;
    std::string expires_at;    ///< "" never
    std::string last_used_at;  ///< "" never
    api::ConfigMap config;     ///< the instance's own config when it was taken
    api::DeviceMap devices;    ///< the instance's own devices when it was taken
    std::vector<std::string> profiles;
};

namespace repo {

std::optional<InstanceSnapshotRecord> find_instance_snapshot(SQLite::Database& db, int64_t instance_id, const std::string& name);
/// An instance's snapshots, oldest first.
std::vector<InstanceSnapshotRecord> list_instance_snapshots(SQLite::Database& db, int64_t instance_id);
int64_t insert_instance_snapshot(SQLite::Database& db, const InstanceSnapshotRecord& snapshot);
/// Writes name, description and expires_at.
/// Writes name, description, expires_at and devices.
void update_instance_snapshot(SQLite::Database& db, const InstanceSnapshotRecord& snapshot);
void delete_instance_snapshot(SQLite::Database& db, int64_t id);

}  // namespace repo
}  // namespace li
