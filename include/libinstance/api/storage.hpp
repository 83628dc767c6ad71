#pragma once
// LXD REST schema types for storage pools (api.StoragePoolsPost, api.StoragePool).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace li::api {

/// LXD's api.StoragePoolsPost: what creating a storage pool takes.
struct StoragePoolsPost {
    std::string name;
    std::string driver;  ///< "dir" or "btrfs"
    std::string description;
    std::map<std::string, std::string> config;  ///< driver keys, e.g. source, size
};

/// LXD's api.StoragePool.
struct StoragePool {
    std::string name;
    std::string driver;
    std::string description;
    std::map<std::string, std::string> config;  ///< with the driver's defaults filled in
    std::string status = "Created";
    std::vector<std::string> used_by;           ///< API URLs of instances, profiles and images using it
    std::vector<std::string> locations{"none"};
};

/// Parses a StoragePoolsPost document; bad fields raise InvalidArgument naming the field.
StoragePoolsPost storage_pools_post_from_json(std::string_view json);
std::string to_json(const StoragePoolsPost& post);
std::string to_json(const StoragePool& pool);
std::string to_json(const std::vector<StoragePool>& pools);

}  // namespace li::api
