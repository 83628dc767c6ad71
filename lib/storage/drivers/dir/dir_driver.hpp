#pragma once
// The `dir` storage driver: volumes are directories under the pool's source directory. Image
// volumes are unpacked once; a container volume made from one is an overlayfs layer over the
// image's rootfs (upper and work directories inside the volume), or a full copy where overlayfs
// does not work on the pool's file system (see docs/design/0004-dir-overlay-volumes.md).

#include <map>
#include <string>

#include "storage/storage_driver.hpp"

namespace li {

class DirDriver final : public StorageDriver {
public:
    explicit DirDriver(const StoragePoolParams& params);

    StorageDriverInfo info() const override;
    void mount_pool() override;
    void delete_pool() override;
    std::filesystem::path volume_path(const VolumeRef& vol) const override;
    bool volume_exists(const VolumeRef& vol) const override;
    void create_volume(const VolumeRef& vol, const VolumeFiller& filler) override;
    void copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) override;
    void delete_volume(const VolumeRef& vol) override;
    std::filesystem::path mount_volume(const VolumeRef& vol) override;
    void unmount_volume(const VolumeRef& vol) override;
    bool mount_volume_shifted(const VolumeRef& vol, const IdMap& idmap) override;
    PoolUsage pool_usage() const override;
    // Issue 6 volume operations (dir_volume_ops.cpp).
    void rename_volume(const VolumeRef& vol, const std::string& new_name) override;
    void create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) override;
    std::vector<std::string> list_snapshots(const VolumeRef& vol) const override;
    /// NotFound (key "name") when the snapshot does not exist.
    std::filesystem::path snapshot_path(const VolumeRef& vol, const std::string& snapshot) const override;
    void delete_snapshot(const VolumeRef& vol, const std::string& snapshot) override;
    void remove_staging_leftovers() override;
    std::filesystem::path mount_snapshot(const VolumeRef& vol, const std::string& snapshot) override;
    void unmount_snapshot(const VolumeRef& vol, const std::string& snapshot) override;
    void rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name) override;
    void restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) override;
    uint64_t volume_usage(const VolumeRef& vol) const override;
    /// NotSupported (key "size"): a dir pool has no quota mechanism.
    void set_volume_size(const VolumeRef& vol, uint64_t bytes) override;

    /// Whether new container volumes are overlay layers (probed by mount_pool()).
    bool layered() const { return overlay_; }
    /// The config keys a dir pool accepts, with defaults filled in; InvalidArgument naming a bad key.
    static std::map<std::string, std::string> pool_config(const StoragePoolParams& params);

private:
    bool probe_overlay();
    bool probe_overlay_now();
    void make_layered_copy(const std::filesystem::path& image_volume, const std::string& base,
                           const std::filesystem::path& dest, OperationContext& ctx);
    std::string base_of(const VolumeRef& vol) const;
    std::string base_under(const std::filesystem::path& dir) const;
    void copy_flat(const VolumeRef& from, const std::filesystem::path& dest, OperationContext& ctx);
    std::filesystem::path existing_volume(const VolumeRef& vol) const;
    void delete_volume_snapshots(const VolumeRef& vol);
    void copy_layers(const VolumeRef& from, const std::filesystem::path& dest, OperationContext& ctx);

    std::string name_;
    std::filesystem::path pool_dir_;
    bool overlay_ = false;
};

}  // namespace li
