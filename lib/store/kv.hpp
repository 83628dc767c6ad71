#pragma once
// Key/value side tables (config, devices, properties) shared by every object kind.

#include <SQLiteCpp/SQLiteCpp.h>
#include <string>

#include "libinstance/api/instance.hpp"

namespace li::kv {

/// Reads "SELECT key, value FROM <table> WHERE <owner_column> = id".
api::ConfigMap load_config(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id);
/// Replaces the rows of id in a key/value table.
void store_config(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id,
                  const api::ConfigMap& config);
/// Reads a device table (device, key, value).
api::DeviceMap load_devices(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id);
/// Replaces the rows of id in a device table.
void store_devices(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id,
                   const api::DeviceMap& devices);

}  // namespace li::kv
