#pragma once
// Disaster recovery (`lxd recover`, LXD's /internal/recover/validate and /import): when the state
// database is lost or damaged, the storage pools still hold every instance, snapshot and custom
// volume, each with the backup.yaml it keeps on its volume. Recovery scans the pools and writes
// the records again.

#include <cstdint>
#include <string>
#include <vector>

#include "libinstance/api/storage.hpp"

namespace li {

/// A volume found on a pool that the database does not know (LXD's RecoverValidateVolume).
struct RecoverVolume {
    std::string pool;
    std::string project;
    std::string type;  ///< "container", "virtual-machine" or "custom"
    std::string name;
    int64_t snapshot_count = 0;
};

/// What a scan found (LXD's RecoverValidateResult).
struct RecoverResult {
    /// Pools found on disk that the database did not know (recreated by recover_import()).
    std::vector<std::string> unknown_pools;
    std::vector<RecoverVolume> unknown_volumes;
    /// Why some volumes cannot be imported (a missing profile, network or pool); recover_import()
    /// refuses while any remain.
    std::vector<std::string> dependency_errors;
};

/// What recovery scans besides the pools the database knows and those it finds under the state
/// directory (each pool keeps a description of itself at its root): pools the user names, as
/// `lxd recover` asks for them.
struct RecoverOptions {
    std::vector<api::StoragePoolsPost> pools;
};

}  // namespace li
