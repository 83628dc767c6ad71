#pragma once
// li::StorageVolumeStore: the volumes of the storage pools (LXD's /1.0/storage-pools/<pool>/volumes).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/storage_volume.hpp"

namespace li {

class ManagerCore;

/// Volumes on the storage pools of one Manager, scoped by project like LXD's. Custom volumes are
/// made and changed here; instance ("container") and image volumes are listed and shown, and
/// follow their instance or image.
///
/// Custom volume config keys (validated; InvalidArgument naming "config.<key>" and quoting the
/// value): `size` (LXD size string; a quota where the driver can enforce one, NotSupported naming
/// "config.size" where it cannot), `security.shifted` (bool: attached through an idmapped mount so
/// every container sees host root's files as its root's), `security.unmapped` (bool), `user.*`.
/// Names: as LXD's (letters, digits, '-', '_', '.'; no '/'), InvalidArgument (key "name").
/// Lifecycle events: storage-volume-created, -updated, -renamed, -deleted.
class StorageVolumeStore {
public:
    explicit StorageVolumeStore(std::shared_ptr<ManagerCore> core);

    /// Creates an empty custom filesystem volume. NotFound (key "pool") for an unknown pool;
    /// AlreadyExists (key "name"); InvalidArgument (key "type" / "content_type") for anything but
    /// custom filesystem volumes. Nothing is left behind on failure.
    api::StorageVolume create(std::string_view pool, const api::StorageVolumesPost& post, std::string_view project = "default");
    /// Every volume of the pool in the project: custom, container and image volumes.
    std::vector<api::StorageVolume> list(std::string_view pool, std::string_view project = "default");
    /// One volume; type is "custom", "container" or "image". NotFound (key "name").
    api::StorageVolume get(std::string_view pool, std::string_view type, std::string_view name,
                           std::string_view project = "default");
    /// Replaces a custom volume's description and config (LXD's PUT); a new `size` is applied at
    /// once. Nothing changes on failure.
    void update(std::string_view pool, std::string_view name, const api::StorageVolumePut& put,
                std::string_view project = "default");
    /// Renames a custom volume. Busy (key "name") while instances or profiles use it, naming them;
    /// AlreadyExists (key "new_name").
    void rename(std::string_view pool, std::string_view name, std::string_view new_name,
                std::string_view project = "default");
    /// Deletes a custom volume. Busy (key "name") while instances or profiles use it, naming them.
    void remove(std::string_view pool, std::string_view name, std::string_view project = "default");

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
