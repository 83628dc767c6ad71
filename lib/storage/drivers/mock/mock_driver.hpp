#pragma once
// The `mock` storage driver: every volume is a plain directory under the pool directory, copies
// and snapshots are full copies, nothing is mounted and nothing needs root. It exists so the layers
// above the drivers (pools, volume stores, surfaces) can be tested anywhere, and as the reference
// for what every driver must do (it runs the same conformance cases as dir and btrfs).

#include <map>
#include <string>

#include "storage/storage_driver.hpp"

namespace li {

class MockDriver final : public StorageDriver {
public:
    explicit MockDriver(const StoragePoolParams& params);

    StorageDriverInfo info() const override;
    void mount_pool() override;
    void delete_pool() override;
    std::filesystem::path volume_path(const VolumeRef& vol) const override;
    bool volume_exists(const VolumeRef& vol) const override;
    void create_volume(const VolumeRef& vol, const VolumeFiller& filler) override;
    void copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) override;
    void delete_volume(const VolumeRef& vol) override;

    void rename_volume(const VolumeRef& vol, const std::string& new_name) override;
    uint64_t volume_usage(const VolumeRef& vol) const override;
    void create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) override;
    std::vector<std::string> list_snapshots(const VolumeRef& vol) const override;
    /// NotFound (key "name") when the snapshot does not exist.
    std::filesystem::path snapshot_path(const VolumeRef& vol, const std::string& snapshot) const override;
    void delete_snapshot(const VolumeRef& vol, const std::string& snapshot) override;
    void rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name) override;
    void restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) override;

    /// A mock pool takes no config keys (InvalidArgument naming any).
    static std::map<std::string, std::string> pool_config(const StoragePoolParams& params);

private:
    std::filesystem::path existing_volume(const VolumeRef& vol) const;

    std::string name_;
    std::filesystem::path pool_dir_;
};

}  // namespace li
