#pragma once
// LXD REST schema types for storage pools (api.StoragePoolsPost, api.StoragePool).

#include <cstdint>
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

/// LXD's api.StoragePoolPut: a pool's writable fields (PUT replaces them all).
struct StoragePoolPut {
    std::string description;
    std::map<std::string, std::string> config;
};

/// LXD's api.ResourcesStoragePool: a pool's space and inodes (0 where not meaningful, e.g.
/// inodes on btrfs).
struct ResourcesStoragePool {
    struct Figures {
        uint64_t used = 0;
        uint64_t total = 0;
    };
    Figures space;
    Figures inodes;
};

/// Parses a StoragePoolPut document (a whole StoragePool is accepted; other fields are ignored).
StoragePoolPut storage_pool_put_from_json(std::string_view json);
std::string to_json(const StoragePoolPut& put);
std::string to_json(const ResourcesStoragePool& resources);
/// The writable fields of a pool (what a GET then PUT sends back).
StoragePoolPut put_of(const StoragePool& pool);

/// Parses a StoragePoolsPost document; bad fields raise InvalidArgument naming the field.
StoragePoolsPost storage_pools_post_from_json(std::string_view json);
std::string to_json(const StoragePoolsPost& post);
std::string to_json(const StoragePool& pool);
std::string to_json(const std::vector<StoragePool>& pools);

}  // namespace li::api
