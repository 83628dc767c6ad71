#pragma once
// Profiles and storage pools in the state database.

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace li::repo {

std::optional<ProfileRecord> find_profile(SQLite::Database& db, const std::string& project, const std::string& name);
int64_t insert_profile(SQLite::Database& db, const ProfileRecord& profile);

std::optional<PoolRecord> find_pool(SQLite::Database& db, const std::string& name);
std::vector<PoolRecord> list_pools(SQLite::Database& db);
int64_t insert_pool(SQLite::Database& db, const PoolRecord& pool);

}  // namespace li::repo
