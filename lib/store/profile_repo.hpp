#pragma once
// Profiles and storage pools in the state database.

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

// A `project` argument means the profiles of the project whose profiles it uses
// (features.profiles), as repo::project_for resolves it; an unknown project is NotFound (key
// "project").
namespace li::repo {

std::optional<ProfileRecord> find_profile(SQLite::Database& db, const std::string& project, const std::string& name);
int64_t insert_profile(SQLite::Database& db, const ProfileRecord& profile);
/// The profiles of a project, by name.
std::vector<ProfileRecord> list_profiles(SQLite::Database& db, const std::string& project);
/// Replaces description, config and devices of the profile profile.id.
void update_profile(SQLite::Database& db, const ProfileRecord& profile);
void rename_profile(SQLite::Database& db, int64_t id, const std::string& new_name);
void delete_profile(SQLite::Database& db, int64_t id);
/// The instances (project, name) using a profile, by name: a default-project profile is also used
/// by the instances of projects without features.profiles.
std::vector<std::pair<std::string, std::string>> instances_using_profile(SQLite::Database& db, int64_t profile_id);

std::optional<PoolRecord> find_pool(SQLite::Database& db, const std::string& name);
std::vector<PoolRecord> list_pools(SQLite::Database& db);
int64_t insert_pool(SQLite::Database& db, const PoolRecord& pool);

}  // namespace li::repo
