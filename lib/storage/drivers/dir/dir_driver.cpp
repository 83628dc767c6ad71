#include "storage/drivers/dir/dir_driver.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {
const char* type_dir(VolumeType type) {
    switch (type) {
    case VolumeType::Container: return "containers";
    case VolumeType::Image: return "images";
    case VolumeType::Custom: return "custom";
    }
    return "unknown";
}

// A volume appears under its final name only once complete, so a crash never leaves a
// half-filled volume that looks whole.
fs::path staging_path(const fs::path& final_path) {
    fs::path p = final_path;
    p += ".creating";
    return p;
}
}  // namespace

DirDriver::DirDriver(fs::path pool_dir) : pool_dir_(std::move(pool_dir)) {}

StorageDriverInfo DirDriver::info() const { return StorageDriverInfo{"dir", false}; }

void DirDriver::mount_pool() {
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) {
        fs::path dir = pool_dir_ / type_dir(type);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw Error(ErrorCode::System, fmt::format("creating {}: {}", dir.string(), ec.message()), {}, ec.value());
        ::chmod(dir.c_str(), 0711);
    }
}

fs::path DirDriver::volume_path(const VolumeRef& vol) const { return pool_dir_ / type_dir(vol.type) / vol.name; }

bool DirDriver::volume_exists(const VolumeRef& vol) const {
    std::error_code ec;
    return fs::exists(volume_path(vol), ec);
}

void DirDriver::create_volume(const VolumeRef& vol, const VolumeFiller& filler) {
    fs::path final_path = volume_path(vol);
    if (volume_exists(vol)) throw Error(ErrorCode::AlreadyExists, fmt::format("volume {} already exists", final_path.string()));
    fs::path staging = staging_path(final_path);
    remove_tree(staging);  // left by a crash
    Reverter revert;
    revert.add([staging] { remove_tree(staging); });
    filler(staging);
    if (::rename(staging.c_str(), final_path.c_str()) != 0)
        throw Error::from_errno(fmt::format("renaming {}", staging.string()), errno);
    revert.success();
}

void DirDriver::copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) {
    fs::path source = volume_path(from);
    create_volume(to, [&](const fs::path& dest) { copy_tree(source, dest, ctx.stop_token()); });
}

void DirDriver::delete_volume(const VolumeRef& vol) {
    remove_tree(staging_path(volume_path(vol)));
    remove_tree(volume_path(vol));
}

}  // namespace li
