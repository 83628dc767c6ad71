#pragma once
// The StorageDriver interface: volume-centric, no persistence (the pool facade owns that).

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sys/idmap.hpp"

namespace li {

class OperationContext;

/// What a driver can do, as data.
struct StorageDriverInfo {
    std::string name;
    bool optimized_images = false;  ///< instances are copy-on-write clones of image volumes
};

/// Volume kinds, named as in LXD's API.
enum class VolumeType { Container, Image, Custom };

/// One volume on a pool.
struct VolumeRef {
    VolumeType type;
    std::string name;  ///< instance name, image fingerprint or custom volume name
};

/// Where a pool lives and how it is configured, as a driver is given it.
struct StoragePoolParams {
    std::string name;
    std::filesystem::path pool_dir;   ///< where its volumes appear (<state>/storage-pools/<name>, or a dir pool's source)
    std::filesystem::path disks_dir;  ///< where loop files of new pools go (<state>/disks)
    std::map<std::string, std::string> config;
};

/// Space a pool uses and has (bytes), and inodes where the file system counts them (0 = unknown).
struct PoolUsage {
    uint64_t space_used = 0;
    uint64_t space_total = 0;
    uint64_t inodes_used = 0;
    uint64_t inodes_total = 0;
};

/// Fills a freshly created volume directory (e.g. unpacks an image into it).
using VolumeFiller = std::function<void(const std::filesystem::path& volume_dir)>;

class StorageDriver {
public:
    virtual ~StorageDriver() = default;
    virtual StorageDriverInfo info() const = 0;

    /// Creates the pool's structure (idempotent); mounts it where that applies.
    virtual void mount_pool() = 0;
    /// Makes a new pool (e.g. formats its loop file) and mounts it; nothing is left when it throws.
    virtual void create_pool() { mount_pool(); }
    /// Unmounts what mount_pool() mounted (volumes stay); idempotent.
    virtual void unmount_pool() {}
    /// Removes the pool's structure and what create_pool() made (e.g. its loop file); the pool
    /// holds no volume any more.
    virtual void delete_pool() = 0;
    /// Where a volume's files are while the pool is mounted.
    virtual std::filesystem::path volume_path(const VolumeRef& vol) const = 0;
    virtual bool volume_exists(const VolumeRef& vol) const = 0;
    /// Creates a volume and runs filler on it; nothing is left when filler throws.
    virtual void create_volume(const VolumeRef& vol, const VolumeFiller& filler) = 0;
    /// Creates `to` as a copy (or copy-on-write clone) of `from`; cancellable through ctx.
    virtual void copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) = 0;
    virtual void delete_volume(const VolumeRef& vol) = 0;
    /// Makes the volume's whole (flat, merged) file tree readable and writable at volume_path(),
    /// e.g. mounts the overlay of a layered volume; idempotent. Publish, export, copies to another
    /// pool and backups call it before reading a volume.
    virtual std::filesystem::path mount_volume(const VolumeRef& vol) { return volume_path(vol); }
    /// Undoes mount_volume() where it mounted something; idempotent.
    virtual void unmount_volume(const VolumeRef& vol) { (void)vol; }
    /// Mounts the volume for an unprivileged container whose root is host idmap.uid.host_start.
    /// True when rootfs/ is then already shifted (files owned by host 0 appear as the container's
    /// root), so the caller must not idmap it again; false when the caller idmaps rootfs/ itself
    /// (liblxc's lxc.rootfs.options = idmap=container). Overlayfs cannot be idmapped as a whole,
    /// so layered volumes are overlays of idmapped layers instead.
    virtual bool mount_volume_shifted(const VolumeRef& vol, const IdMap& idmap) {
        (void)idmap;
        mount_volume(vol);
        return false;
    }

    // --- Issue 6: pool usage, volume rename/size/usage and volume snapshots ---------------
    // Defaults throw NotSupported naming the operation, so a driver states what it cannot do.

    /// Space and inodes of the pool's file system (statvfs of its root; btrfs: its own figures).
    virtual PoolUsage pool_usage() const;
    /// Applies changed pool config keys (key -> new value, "" when removed), already checked by
    /// storage_pool_config(); InvalidArgument naming a key that cannot change (this way); nothing
    /// changes on failure. Default: every change is refused.
    virtual void update_pool(const std::map<std::string, std::string>& changed);
    /// Renames a volume (and its snapshots); AlreadyExists when `new_name` exists, NotFound
    /// when `vol` does not. Nothing changes on failure.
    virtual void rename_volume(const VolumeRef& vol, const std::string& new_name);
    /// Limits the volume to `bytes` (0 removes the limit): btrfs through a qgroup; a write past it
    /// fails with ENOSPC/EDQUOT. InvalidArgument (key "size") when the volume already holds more.
    virtual void set_volume_size(const VolumeRef& vol, uint64_t bytes);
    /// Bytes the volume's own data takes (a layered volume: its upper layer only).
    virtual uint64_t volume_usage(const VolumeRef& vol) const;
    /// Read-only point-in-time copy of a volume as `snapshot` (a name without '/'); AlreadyExists
    /// when it exists. Copy-on-write where the driver can (btrfs), a full copy otherwise.
    virtual void create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx);
    /// The volume's snapshots, oldest first.
    virtual std::vector<std::string> list_snapshots(const VolumeRef& vol) const;
    /// Where a snapshot's files are (read-only).
    virtual std::filesystem::path snapshot_path(const VolumeRef& vol, const std::string& snapshot) const;
    virtual void delete_snapshot(const VolumeRef& vol, const std::string& snapshot);
    /// Makes a snapshot's whole (flat, merged) file tree readable at the returned path, as
    /// mount_volume() does for a volume: a layered dir snapshot's rootfs/ becomes a read-only
    /// overlay of its upper layer over its image. Copies, backups and new instances made from a
    /// snapshot read it this way. Idempotent; default: snapshot_path() as it is.
    virtual std::filesystem::path mount_snapshot(const VolumeRef& vol, const std::string& snapshot) {
        return snapshot_path(vol, snapshot);
    }
    /// Removes what a killed process left while making volumes or snapshots (staged, never whole);
    /// run by Manager::open. Default: nothing to remove.
    virtual void remove_staging_leftovers() {}
    /// Undoes mount_snapshot() where it mounted something; idempotent.
    virtual void unmount_snapshot(const VolumeRef& vol, const std::string& snapshot) {
        (void)vol;
        (void)snapshot;
    }
    virtual void rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name);
    /// Makes the volume's content the snapshot's again (the snapshot stays); the volume must not
    /// be in use (caller's duty). Nothing changes on failure.
    virtual void restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx);
};

/// Makes the driver named `driver` for a pool; NotSupported (key "driver") for an unknown one.
std::unique_ptr<StorageDriver> make_storage_driver(const std::string& driver, const StoragePoolParams& params);
/// A new pool's config checked for `driver` (InvalidArgument naming an unknown key or a bad value)
/// with the driver's defaults filled in (e.g. source, size).
std::map<std::string, std::string> storage_pool_config(const std::string& driver, const StoragePoolParams& params);
/// The names of the drivers this build has.
std::vector<std::string> storage_driver_names();

}  // namespace li
