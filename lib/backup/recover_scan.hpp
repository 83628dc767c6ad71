#pragma once
// Disaster recovery's scan: the pools to look into (known, described under the state directory,
// named by the caller) and the volumes on them that the database does not know, with the
// backup.yaml each keeps and what importing it would need.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backup/backup_config.hpp"
#include "libinstance/recover.hpp"
#include "storage/storage_driver.hpp"
#include "store/records.hpp"

namespace li {
class ManagerCore;
}

namespace li::backup {

struct FoundPool {
    PoolRecord record;                      ///< id 0 while the database does not know it
    StorageDriver* driver = nullptr;        ///< mounted
    std::unique_ptr<StorageDriver> owned;   ///< a pool found on disk, mounted for the scan
};

struct FoundVolume {
    std::string pool;
    std::string project;
    std::string type;       ///< "container" or "custom"
    std::string name;
    VolumeRef ref;          ///< as the driver names it
    std::optional<Config> config;        ///< its backup.yaml (a custom volume may have none)
    std::vector<std::string> snapshots;  ///< on disk, oldest first
};

/// A scan's findings; pools it mounted are unmounted again when it goes, unless taken.
struct Scan {
    std::vector<FoundPool> pools;
    std::vector<FoundVolume> volumes;
    std::vector<std::string> dependency_errors;

    Scan() = default;
    Scan(Scan&&) = default;
    ~Scan();
    RecoverResult result() const;
};

Scan scan_for_recovery(ManagerCore& core, const RecoverOptions& opts);
/// Pool names as recovery takes them from a caller: InvalidArgument naming `key`.name.
void validate_pool_name_for_recovery(const std::string& name, const std::string& key);

}  // namespace li::backup
