#include "storage/drivers/mock/mock_driver.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_snapshots.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

MockDriver::MockDriver(const StoragePoolParams& params) : name_(params.name), pool_dir_(params.pool_dir) {}

StorageDriverInfo MockDriver::info() const { return StorageDriverInfo{"mock", false}; }

std::map<std::string, std::string> MockDriver::pool_config(const StoragePoolParams& params) {
    for (const auto& [key, value] : params.config)
        throw Error::invalid(key, fmt::format("unknown mock pool config key \"{}\" (a mock pool takes none)", key));
    return {};
}

void MockDriver::mount_pool() {
    make_dir_with_mode(pool_dir_, 0711);
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom})
        make_dir_with_mode(pool_dir_ / volume_type_dir(type), 0711);
}

void MockDriver::delete_pool() {
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) remove_tree(pool_dir_ / volume_type_dir(type));
    for (const auto& dir : snapshot_type_dirs(pool_dir_)) remove_tree(dir);
    ::rmdir(pool_dir_.c_str());
}

fs::path MockDriver::volume_path(const VolumeRef& vol) const { return pool_dir_ / volume_type_dir(vol.type) / vol.name; }

bool MockDriver::volume_exists(const VolumeRef& vol) const {
    std::error_code ec;
    return fs::exists(fs::symlink_status(volume_path(vol), ec));
}

fs::path MockDriver::existing_volume(const VolumeRef& vol) const {
    if (!volume_exists(vol)) throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", volume_path(vol).string()));
    return volume_path(vol);
}

void MockDriver::create_volume(const VolumeRef& vol, const VolumeFiller& filler) {
    const fs::path final_path = volume_path(vol);
    if (volume_exists(vol)) throw Error(ErrorCode::AlreadyExists, fmt::format("volume {} already exists", final_path.string()));
    const fs::path staging = volume_staging_path(final_path);
    remove_tree(staging);
    Reverter revert;
    revert.add([staging] { remove_tree(staging); });
    filler(staging);
    rename_no_replace(staging, final_path);
    revert.success();
}

void MockDriver::copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) {
    const fs::path source = existing_volume(from);
    ctx.check_cancelled();
    create_volume(to, [&](const fs::path& dest) { copy_tree(source, dest, ctx.stop_token()); });
}

void MockDriver::delete_volume(const VolumeRef& vol) {
    const fs::path path = volume_path(vol);
    remove_tree(volume_staging_path(path));
    remove_tree(path);
    remove_tree(volume_snapshots_dir(pool_dir_, vol));
}

void MockDriver::rename_volume(const VolumeRef& vol, const std::string& new_name) {
    rename_volume_entries(pool_dir_, vol, new_name);
}

uint64_t MockDriver::volume_usage(const VolumeRef& vol) const { return tree_disk_usage(existing_volume(vol)); }

void MockDriver::create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) {
    check_entry_name(snapshot, "name");
    create_copied_snapshot(pool_dir_, vol, existing_volume(vol), snapshot, copy_tree, ctx);
}

std::vector<std::string> MockDriver::list_snapshots(const VolumeRef& vol) const {
    existing_volume(vol);
    return snapshot_names_oldest_first(volume_snapshots_dir(pool_dir_, vol));
}

fs::path MockDriver::snapshot_path(const VolumeRef& vol, const std::string& snapshot) const {
    return existing_snapshot_dir(pool_dir_, vol, snapshot);
}

void MockDriver::delete_snapshot(const VolumeRef& vol, const std::string& snapshot) {
    delete_snapshot_dir(snapshot_path(vol, snapshot));
}

void MockDriver::rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name) {
    rename_snapshot_entry(snapshot_path(vol, snapshot), new_name, vol);
}

void MockDriver::restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) {
    const fs::path source = snapshot_path(vol, snapshot);
    restore_copied_snapshot(source, existing_volume(vol), copy_tree, [](const fs::path&) {}, ctx);
}

}  // namespace li
