#pragma once
// The `dir` storage driver: volumes are plain directories under the pool's source directory.

#include "storage/storage_driver.hpp"

namespace li {

class DirDriver final : public StorageDriver {
public:
    explicit DirDriver(std::filesystem::path pool_dir);

    StorageDriverInfo info() const override;
    void mount_pool() override;
    std::filesystem::path volume_path(const VolumeRef& vol) const override;
    bool volume_exists(const VolumeRef& vol) const override;
    void create_volume(const VolumeRef& vol, const VolumeFiller& filler) override;
    void copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) override;
    void delete_volume(const VolumeRef& vol) override;

private:
    std::filesystem::path pool_dir_;
};

}  // namespace li
