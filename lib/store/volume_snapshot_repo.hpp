#pragma once
// Snapshots of custom storage volumes in the state database (LXD's storage_volumes_snapshots).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "libinstance/api/instance.hpp"

namespace li {

struct VolumeSnapshotRecord {
    int64_t id = 0;
    int64_t volume_id = 0;
    std::string name;
    std::string description;
    std::string created_at;
    std::string expires_at;  ///< "" never
    api::ConfigMap config;   ///< the volume's config when it was taken
};

namespace repo {

std::optional<VolumeSnapshotRecord> find_volume_snapshot(SQLite::Database& db, int64_t volume_id, const std::string& name);
/// A volume's snapshots, oldest first.
std::vector<VolumeSnapshotRecord> list_volume_snapshots(SQLite::Database& db, int64_t volume_id);
int64_t insert_volume_snapshot(SQLite::Database& db, const VolumeSnapshotRecord& snapshot);
/// Writes name, description and expires_at.
void update_volume_snapshot(SQLite::Database& db, const VolumeSnapshotRecord& snapshot);
void delete_volume_snapshot(SQLite::Database& db, int64_t id);

}  // namespace repo
}  // namespace li
