#pragma once
// The `btrfs` storage driver: the pool is a btrfs file system (a sparse loop file made for it, or
// an existing btrfs directory); image volumes are read-only subvolumes unpacked once and
// container volumes are writable snapshots of them, made instantly.

#include <map>
#include <string>

#include "storage/storage_driver.hpp"

namespace li {

class BtrfsDriver final : public StorageDriver {
public:
    explicit BtrfsDriver(const StoragePoolParams& params);

    StorageDriverInfo info() const override;
    void create_pool() override;
    void mount_pool() override;
    void unmount_pool() override;
    void delete_pool() override;
    std::filesystem::path volume_path(const VolumeRef& vol) const override;
    bool volume_exists(const VolumeRef& vol) const override;
    void create_volume(const VolumeRef& vol, const VolumeFiller& filler) override;
    void copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) override;
    void delete_volume(const VolumeRef& vol) override;
    void remove_staging_leftovers() override;
    // Issue 6 volume operations (btrfs_volume_ops.cpp).
    void rename_volume(const VolumeRef& vol, const std::string& new_name) override;
    void create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) override;
    std::vector<std::string> list_snapshots(const VolumeRef& vol) const override;
    /// NotFound (key "name") when the snapshot does not exist.
    std::filesystem::path snapshot_path(const VolumeRef& vol, const std::string& snapshot) const override;
    void delete_snapshot(const VolumeRef& vol, const std::string& snapshot) override;
    void rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name) override;
    void restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) override;
    /// Through the subvolume's qgroup (quotas turned on for the pool when first needed).
    void set_volume_size(const VolumeRef& vol, uint64_t bytes) override;
    uint64_t volume_usage(const VolumeRef& vol) const override;
    PoolUsage pool_usage() const override;
    /// `size` of a loop-backed pool may grow (file, loop device and file system, online);
    /// `btrfs.mount_options` remounts the pool. Anything else is refused naming the key.
    void update_pool(const std::map<std::string, std::string>& changed) override;

    /// The config keys a btrfs pool accepts, with defaults filled in (a loop file of 5GiB under
    /// the state's disks/ when source is empty); InvalidArgument naming a bad key or value.
    static std::map<std::string, std::string> pool_config(const StoragePoolParams& params);

private:
    enum class Backing { LoopFile, Directory };

    void make_type_dirs();
    void remove_volume_tree(const std::filesystem::path& path);
    std::filesystem::path existing_volume(const VolumeRef& vol) const;
    void delete_volume_snapshots(const VolumeRef& vol);
    void delete_all_snapshots();
    void carry_over_limit(const std::filesystem::path& from, const std::filesystem::path& to);

    std::string name_;
    std::filesystem::path mount_dir_;  // where a loop file's file system is mounted
    std::filesystem::path source_;
    std::filesystem::path root_;       // where the volumes are: mount_dir_ or the source directory
    Backing backing_;
    uint64_t size_ = 0;
    std::string mount_options_;
};

}  // namespace li
