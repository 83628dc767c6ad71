#pragma once
// Storage pools in the state database, beyond what profile_repo has: removal and their users.

#include <map>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

namespace li::repo {

/// Replaces a pool's description and config.
void update_pool(SQLite::Database& db, int64_t id, const std::string& description, const std::map<std::string, std::string>& config);
/// Deletes a pool row and its config; false when there was none.
bool delete_pool(SQLite::Database& db, const std::string& name);
/// (project, name) of the profiles with a device on the pool.
std::vector<std::pair<std::string, std::string>> profiles_using_pool(SQLite::Database& db, const std::string& pool);
/// Every project that has instances.
std::vector<std::string> instance_projects(SQLite::Database& db);
/// Whether an image record or an instance (volatile.base_image) still refers to a fingerprint.
bool fingerprint_in_use(SQLite::Database& db, const std::string& fingerprint);
/// Every distinct image fingerprint on record.
std::vector<std::string> image_fingerprints(SQLite::Database& db);

}  // namespace li::repo
