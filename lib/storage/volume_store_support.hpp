#pragma once
// What the StorageVolumeStore's files (volumes; snapshots; copies and moves) share: lookups that
// throw the store's errors, config and name checks, and the volume's API form.

#include <cstdint>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "libinstance/api/storage_volume.hpp"
#include "storage/storage_driver.hpp"
#include "store/pool_repo.hpp"
#include "store/records.hpp"
#include "store/volume_repo.hpp"

namespace li {
class ManagerCore;
}

namespace li::volume_store {

/// LXD's volume (and snapshot) names: letters, digits, '-', '_', '.'; InvalidArgument naming `key`.
void validate_name(const std::string& name, const std::string& key);
/// Checks a custom volume's config; returns the size in bytes when `size` is set (0: none).
uint64_t validate_config(const api::ConfigMap& config);
/// The volume's API URL (with ?project= outside the default project).
std::string volume_source(const std::string& pool, const std::string& name, const std::string& project);
/// NotFound (key "pool") for an unknown pool.
PoolRecord pool_or_throw(SQLite::Database& db, const std::string& pool, const std::string& key = "pool");
/// NotFound (key `key`) for an unknown custom volume.
VolumeRecord volume_or_throw(SQLite::Database& db, const PoolRecord& pool, const std::string& project, const std::string& name,
                             const std::string& key = "name");
/// AlreadyExists (key `key`) when the pool has a custom volume `name` in the project.
void check_volume_free(SQLite::Database& db, const PoolRecord& pool, const std::string& project, const std::string& name,
                       const std::string& key);
/// Busy (key "name") while instances or profiles use the volume, naming them.
void check_unused(SQLite::Database& db, const std::string& pool, const std::string& project, const std::string& name);
api::StorageVolume to_api(SQLite::Database& db, const std::string& pool, const VolumeRecord& v);
/// AlreadyExists (key "name") when the driver has files for a volume without a record (left by a
/// crash): they are never adopted silently.
void check_no_stray_files(StorageDriver& driver, const VolumeRef& ref, const std::string& pool);
/// Applies a `size` quota; a refusal is the config key's fault ("config.size").
void apply_size(StorageDriver& driver, const VolumeRef& ref, uint64_t bytes);

/// StorageVolumeStore::create with source type "copy" (storage_volume_copy.cpp), inside its
/// operation: progress and cancellation through ctx.
void copy_custom_volume(ManagerCore& core, const std::string& pool, const api::StorageVolumesPost& post,
                        const std::string& project, OperationContext& ctx);

}  // namespace li::volume_store
