#pragma once
// li::StoragePoolStore: the storage pools of a state directory.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/storage.hpp"

namespace li {

class ManagerCore;

/// The storage pools of one Manager (pools are global, not per project, as in LXD).
///
/// Drivers: `dir` (a directory; instances are overlayfs layers over the image, unpacked once per
/// pool, or full copies where overlayfs does not work) and `btrfs` (a sparse loop file
/// `<state>/disks/<pool>.img` of `size`, default 5GiB, or an existing btrfs directory as
/// `source`; instances are snapshots of the image's subvolume).
class StoragePoolStore {
public:
    explicit StoragePoolStore(std::shared_ptr<ManagerCore> core);

    /// Creates and mounts a pool and emits storage-pool-created. InvalidArgument naming the key for
    /// a bad name, an unknown config key or a bad value; NotSupported (key "driver") for an unknown
    /// driver; AlreadyExists (key "name") when the pool exists. Returns the pool with the driver's
    /// defaults filled in (e.g. source, size).
    api::StoragePool create(const api::StoragePoolsPost& post);
    std::vector<api::StoragePool> list();
    /// NotFound (key "name") when there is no such pool.
    api::StoragePool get(std::string_view name);
    /// Hash of the pool's writable fields, for update()'s if_match (LXD's ETag).
    std::string etag(std::string_view name);
    /// Replaces description and config (LXD's PUT) and emits storage-pool-updated. Keys left out
    /// that the driver fills in (source, size) keep their values. dir: only the description can
    /// change; btrfs: `size` of a loop-backed pool may grow (online), `btrfs.mount_options`
    /// remounts. InvalidArgument naming the key for an unknown key, a bad value, a key that
    /// cannot change or a shrink; Conflict (key "etag") when if_match is given and differs from
    /// etag(). Nothing changes on failure.
    api::StoragePool update(std::string_view name, const api::StoragePoolPut& put, std::string_view if_match = {});
    /// Space and inodes the pool uses and has (LXD's GET /1.0/storage-pools/<name>/resources).
    api::ResourcesStoragePool resources(std::string_view name);
    /// Removes a pool with its unused image volumes and emits storage-pool-deleted. Busy (key
    /// "name") while instances or profiles use it, naming them.
    void remove(std::string_view name);

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
