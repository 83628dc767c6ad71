#pragma once
// LXD REST schema types for instance snapshots (api.InstanceSnapshotsPost, api.InstanceSnapshotPut,
// api.InstanceSnapshotPost, api.InstanceSnapshot).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li::api {

/// LXD's api.InstanceSnapshotsPost: what taking a snapshot takes.
struct InstanceSnapshotsPost {
    std::string name;        ///< "" picks the next name of snapshots.pattern (default "snap%d")
    bool stateful = false;   ///< with the running state (NotSupported: CRIU does not work here)
    std::string expires_at;  ///< RFC 3339; "" follows snapshots.expiry (none when unset)
};

/// LXD's api.InstanceSnapshotPut: a snapshot's writable fields.
struct InstanceSnapshotPut {
    std::string expires_at;  ///< RFC 3339, "" never
};

/// LXD's api.InstanceSnapshot: the instance as it was when the snapshot was taken.
struct InstanceSnapshot {
    std::string name;  ///< the snapshot's own name (without "instance/")
    std::string description;
    std::string architecture;
    ConfigMap config;
    DeviceMap devices;
    ConfigMap expanded_config;
    DeviceMap expanded_devices;
    std::vector<std::string> profiles;
    bool ephemeral = false;
    bool stateful = false;
    std::string created_at;    ///< RFC 3339
    std::string expires_at;    ///< RFC 3339, "" never
    std::string last_used_at;  ///< RFC 3339, "" never
    int64_t size = -1;         ///< bytes the snapshot's own data takes (-1 unknown)
};

/// Parse LXD documents; bad fields raise InvalidArgument naming the field.
InstanceSnapshotsPost instance_snapshots_post_from_json(std::string_view json);
InstanceSnapshotPut instance_snapshot_put_from_json(std::string_view json);
std::string to_json(const InstanceSnapshotsPost& post);
std::string to_json(const InstanceSnapshotPut& put);
std::string to_json(const InstanceSnapshot& snapshot);
std::string to_json(const std::vector<InstanceSnapshot>& snapshots);

}  // namespace li::api
