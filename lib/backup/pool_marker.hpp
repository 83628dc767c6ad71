#pragma once
// Each storage pool describes itself at its root (.libinstance-pool.yaml: LXD's backup config
// with only "pool"), so disaster recovery can find pools the database has forgotten.

#include <filesystem>
#include <optional>

#include "libinstance/api/storage.hpp"
#include "storage/storage_driver.hpp"

namespace li {
class ManagerCore;
}

namespace li::backup {

inline constexpr const char* kPoolMarker = ".libinstance-pool.yaml";

/// Where a mounted pool's volume folders (containers/, custom/, ...) are.
std::filesystem::path pool_root(const StorageDriver& driver);
/// Rewrites the marker of a known, mounted pool from its record. Best effort (logged).
void write_pool_marker(ManagerCore& core, const std::string& pool) noexcept;
/// Removes a pool's marker before the pool itself goes, so a deleted pool is never found again.
void remove_pool_marker(const StorageDriver& driver) noexcept;
/// The pool a marker describes; nullopt when there is none. InvalidArgument naming the file when
/// it is malformed.
std::optional<api::StoragePool> read_pool_marker(const std::filesystem::path& root);

}  // namespace li::backup
