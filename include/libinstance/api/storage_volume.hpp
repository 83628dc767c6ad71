#pragma once
// LXD REST schema types for storage volumes (api.StorageVolumesPost, api.StorageVolumePut,
// api.StorageVolume).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace li::api {

/// LXD's api.StorageVolumeSource: where a new custom volume's content comes from.
struct StorageVolumeSource {
    std::string type;     ///< "" (an empty volume) or "copy" ("migration" is NotSupported)
    std::string pool;     ///< the source volume's pool (may differ from the target's)
    std::string name;     ///< the source custom volume
    std::string project;  ///< the source's project ("" = the target's)
    bool volume_only = false;  ///< copy without the source's snapshots
};

/// LXD's api.StorageVolumesPost: what creating a custom volume takes.
struct StorageVolumesPost {
    std::string name;
    std::string type = "custom";              ///< only "custom" volumes are created directly
    /// "filesystem", or "block": a sparse disk image of config "size" (10GiB by default) that only a VM
    /// takes as a disk device.
    std::string content_type = "filesystem";
    std::string description;
    std::map<std::string, std::string> config;  ///< size, security.shifted, security.unmapped
    StorageVolumeSource source;                 ///< type "copy": a copy of another custom volume
};

/// LXD's api.StorageVolumePost (POST on a volume): rename it and/or move it to another pool.
struct StorageVolumePost {
    std::string name;  ///< the new name ("" or the same: keep it)
    std::string pool;  ///< the target pool ("" or the same: a rename within the pool)
};

/// LXD's api.StorageVolumePut: a volume's writable fields.
struct StorageVolumePut {
    std::string description;
    std::map<std::string, std::string> config;
    std::string restore;  ///< a snapshot name: restore it instead of changing description/config
};

/// LXD's api.StorageVolumeSnapshotsPost: what taking a snapshot of a custom volume takes.
struct StorageVolumeSnapshotsPost {
    std::string name;        ///< "" picks LXD's next free "snapN"
    std::string expires_at;  ///< RFC 3339, "" never (in JSON: LXD's zero time 0001-01-01T00:00:00Z)
};

/// LXD's api.StorageVolumeSnapshotPut: a snapshot's writable fields.
struct StorageVolumeSnapshotPut {
    std::string description;
    std::string expires_at;  ///< RFC 3339, "" never (in JSON: LXD's zero time 0001-01-01T00:00:00Z)
};

/// LXD's api.StorageVolumeSnapshot.
struct StorageVolumeSnapshot {
    std::string name;  ///< the snapshot's own name (without "volume/")
    std::string description;
    std::map<std::string, std::string> config;  ///< the volume's config when it was taken
    std::string content_type = "filesystem";
    std::string created_at;  ///< RFC 3339
    std::string expires_at;  ///< RFC 3339, "" never (in JSON: LXD's zero time 0001-01-01T00:00:00Z)
};

/// LXD's api.StorageVolume.
struct StorageVolume {
    std::string name;
    std::string type;  ///< "custom", "container" or "image"
    std::string content_type = "filesystem";
    std::string description;
    std::map<std::string, std::string> config;
    std::vector<std::string> used_by;  ///< API URLs of instances and profiles using it
    std::string location = "none";
    std::string project = "default";
    std::string created_at;  ///< RFC 3339
};

/// Parse LXD documents; bad fields raise InvalidArgument naming the field.
StorageVolumesPost storage_volumes_post_from_json(std::string_view json);
StorageVolumePut storage_volume_put_from_json(std::string_view json);
StorageVolumePost storage_volume_post_from_json(std::string_view json);
StorageVolumeSnapshotsPost storage_volume_snapshots_post_from_json(std::string_view json);
StorageVolumeSnapshotPut storage_volume_snapshot_put_from_json(std::string_view json);
std::string to_json(const StorageVolumePost& post);
std::string to_json(const StorageVolumeSnapshotsPost& post);
std::string to_json(const StorageVolumeSnapshotPut& put);
std::string to_json(const StorageVolumeSnapshot& snapshot);
std::string to_json(const std::vector<StorageVolumeSnapshot>& snapshots);
std::string to_json(const StorageVolumesPost& post);
std::string to_json(const StorageVolumePut& put);
std::string to_json(const StorageVolume& volume);
std::string to_json(const std::vector<StorageVolume>& volumes);

}  // namespace li::api
