#pragma once
// LXD REST schema types for storage volumes (api.StorageVolumesPost, api.StorageVolumePut,
// api.StorageVolume).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace li::api {

/// LXD's api.StorageVolumesPost: what creating a custom volume takes.
struct StorageVolumesPost {
    std::string name;
    std::string type = "custom";              ///< only "custom" volumes are created directly
    std::string content_type = "filesystem";  ///< "block" is for VMs (not supported yet)
    std::string description;
    std::map<std::string, std::string> config;  ///< size, security.shifted, security.unmapped
};

/// LXD's api.StorageVolumePut: a volume's writable fields.
struct StorageVolumePut {
    std::string description;
    std::map<std::string, std::string> config;
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
std::string to_json(const StorageVolumesPost& post);
std::string to_json(const StorageVolumePut& put);
std::string to_json(const StorageVolume& volume);
std::string to_json(const std::vector<StorageVolume>& volumes);

}  // namespace li::api
