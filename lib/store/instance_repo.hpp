#pragma once
// Instances in the state database.

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

// A `project` argument means the instances of that very project, as repo::project_for resolves it;
// an unknown project is NotFound (key "project").
namespace li::repo {

std::optional<InstanceRecord> find_instance(SQLite::Database& db, const std::string& project, const std::string& name);
std::vector<InstanceRecord> list_instances(SQLite::Database& db, const std::string& project);
/// Inserts the instance with its config, devices and profiles (which must exist in its project).
int64_t insert_instance(SQLite::Database& db, const InstanceRecord& instance);
/// Replaces description, ephemeral, config, devices and profiles of the instance r.id.
void update_instance(SQLite::Database& db, const InstanceRecord& r);
void delete_instance(SQLite::Database& db, int64_t id);
/// Renames the instance r.id (the caller checked the name is free in its project).
void rename_instance(SQLite::Database& db, int64_t id, const std::string& new_name);
void set_instance_last_used(SQLite::Database& db, int64_t id, const std::string& when);

}  // namespace li::repo
