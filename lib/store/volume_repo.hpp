#pragma once
// Custom storage volumes in the state database (LXD's storage_volumes tables).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "libinstance/api/instance.hpp"

namespace li {

struct VolumeRecord {
    int64_t id = 0;
    int64_t pool_id = 0;
    std::string project;
    std::string name;
    std::string type = "custom";
    std::string content_type = "filesystem";
    std::string description;
    std::string created_at;
    api::ConfigMap config;
};

// A `project` argument means the custom volumes of the project whose volumes it uses
// (features.storage.volumes), image volumes of its images' project, instance volumes of the project
// itself, as repo::project_for resolves it; an unknown project is NotFound (key "project").
namespace repo {

std::optional<VolumeRecord> find_volume(SQLite::Database& db, int64_t pool_id, const std::string& project,
                                        const std::string& type, const std::string& name);
/// The pool's volumes of a project, by name.
std::vector<VolumeRecord> list_volumes(SQLite::Database& db, int64_t pool_id, const std::string& project);
/// "project/name" of every custom volume on the pool, any project (what keeps a pool busy).
std::vector<std::pair<std::string, std::string>> volumes_on_pool(SQLite::Database& db, const std::string& pool);
int64_t insert_volume(SQLite::Database& db, const VolumeRecord& volume);
/// Writes description and config.
void update_volume(SQLite::Database& db, const VolumeRecord& volume);
void rename_volume(SQLite::Database& db, int64_t id, const std::string& new_name);
void delete_volume(SQLite::Database& db, int64_t id);

}  // namespace repo
}  // namespace li
