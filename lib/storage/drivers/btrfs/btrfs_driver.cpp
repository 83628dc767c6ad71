#include "storage/drivers/btrfs/btrfs_driver.hpp"

#include <cstring>
#include <fcntl.h>
#include <optional>
#include <fmt/format.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"
#include "storage/drivers/btrfs/btrfs_resize.hpp"
#include "storage/fs_usage.hpp"
#include "storage/size.hpp"
#include "storage/volume_layout.hpp"
#include "sys/fs.hpp"
#include "sys/mount.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultSize = "5GiB";
constexpr uint64_t kMinSize = 256ull << 20;  // mkfs.btrfs needs ~114 MiB; leave room for images
constexpr const char* kDefaultMountOptions = "user_subvol_rm_allowed";




std::string value_or(const std::map<std::string, std::string>& config, const std::string& key, const std::string& fallback) {
    auto it = config.find(key);
    return it == config.end() || it->second.empty() ? fallback : it->second;
}

}  // namespace

std::map<std::string, std::string> BtrfsDriver::pool_config(const StoragePoolParams& params) {
    std::map<std::string, std::string> config = params.config;
    for (const auto& [key, value] : config) {
        if (key != "source" && key != "size" && key != "btrfs.mount_options")
            throw Error::invalid(key, fmt::format("unknown btrfs pool config key \"{}\" (known: source, size, btrfs.mount_options)", key));
    }
    auto& source = config["source"];
    if (source.empty()) source = (params.disks_dir / (params.name + ".img")).string();
    if (!fs::path(source).is_absolute())
        throw Error::invalid("source", fmt::format("source \"{}\" is not an absolute path", source));
    std::error_code ec;
    if (fs::is_directory(source, ec)) {
        if (!btrfs::is_btrfs(source)) throw Error::invalid("source", fmt::format("source {} is not on a btrfs file system", source));
        if (config.count("size")) throw Error::invalid("size", "size applies to a loop file, not to an existing btrfs directory");
        config.erase("size");
    } else if (fs::exists(source, ec) && !fs::is_regular_file(source, ec)) {
        throw Error::invalid("source", fmt::format("source {} is neither a btrfs directory nor a loop file (block devices are not supported yet)", source));
    } else {
        auto& size = config["size"];
        if (size.empty()) size = kDefaultSize;
        if (parse_size(size, "size") < kMinSize)
            throw Error::invalid("size", fmt::format("size \"{}\" is too small for a btrfs pool (at least 256MiB)", size));
    }
    if (config["btrfs.mount_options"].empty()) config["btrfs.mount_options"] = kDefaultMountOptions;
    if (config["btrfs.mount_options"].find_first_of("\n\r") != std::string::npos)
        throw Error::invalid("btrfs.mount_options", "mount options must be on one line");
    return config;
}

BtrfsDriver::BtrfsDriver(const StoragePoolParams& params)
    : name_(params.name), mount_dir_(params.pool_dir),
      source_(value_or(params.config, "source", (params.disks_dir / (params.name + ".img")).string())),
      mount_options_(value_or(params.config, "btrfs.mount_options", kDefaultMountOptions)) {
    std::error_code ec;
    backing_ = fs::is_directory(source_, ec) ? Backing::Directory : Backing::LoopFile;
    root_ = backing_ == Backing::Directory ? source_ : mount_dir_;
    if (backing_ == Backing::LoopFile) size_ = parse_size(value_or(params.config, "size", kDefaultSize), "size");
}

StorageDriverInfo BtrfsDriver::info() const { return StorageDriverInfo{"btrfs", true}; }

// Btrfs makes inodes on demand: like LXD, no inode figures (0) for it.
PoolUsage BtrfsDriver::pool_usage() const { return fs_usage(root_, false); }

void BtrfsDriver::update_pool(const std::map<std::string, std::string>& changed) {
    // Everything is checked before anything changes.
    std::optional<uint64_t> new_size;
    std::optional<std::string> new_options;
    for (const auto& [key, value] : changed) {
        if (key == "size") {
            if (backing_ != Backing::LoopFile) throw Error::invalid("size", "size applies to a loop file, not to an existing btrfs directory");
            if (value.empty()) throw Error::invalid("size", fmt::format("the size of loop-backed btrfs pool \"{}\" cannot be removed", name_));
            uint64_t bytes = parse_size(value, "size");
            if (bytes < size_)
                throw Error::invalid("size", fmt::format("btrfs pool \"{}\" cannot shrink (size \"{}\" is below its {} bytes)", name_, value, size_));
            new_size = bytes;
        } else if (key == "btrfs.mount_options") {
            if (backing_ != Backing::LoopFile)
                throw Error::invalid(key, "btrfs.mount_options applies to a loop file the pool mounts, not to an existing btrfs directory");
            new_options = value.empty() ? std::string(kDefaultMountOptions) : value;
        } else {
            throw Error::invalid(key, fmt::format("btrfs pool config key \"{}\" cannot be changed after the pool is created", key));
        }
    }
    Reverter revert;
    auto remount = [this](const std::string& options) {
        if (::mount(nullptr, mount_dir_.c_str(), "btrfs", MS_REMOUNT, options.c_str()) != 0)
            throw Error(ErrorCode::InvalidArgument,
                        fmt::format("remounting btrfs pool \"{}\" with btrfs.mount_options \"{}\": {}", name_, options, std::strerror(errno)),
                        "btrfs.mount_options");
    };
    if (new_options && *new_options != mount_options_) {
        remount(*new_options);
        revert.add([this, remount, old = mount_options_] {
            remount(old);
            mount_options_ = old;
        });
        mount_options_ = *new_options;
    }
    if (new_size && *new_size != size_) {
        btrfs::grow_loop_pool(source_, mount_dir_, *new_size);
        size_ = *new_size;
    }
    revert.success();
}

void BtrfsDriver::create_pool() {
    Reverter revert;
    if (backing_ == Backing::LoopFile) {
        std::error_code ec;
        if (fs::exists(source_, ec))
            throw Error(ErrorCode::AlreadyExists, fmt::format("loop file {} already exists", source_.string()), "source");
        make_dir_with_mode(source_.parent_path(), 0700);
        UniqueFd file(::open(source_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!file) throw Error::from_errno(fmt::format("creating {}", source_.string()), errno);
        revert.add([this] { std::error_code e; fs::remove(source_, e); });
        // Sparse: the file only takes the space its data needs.
        if (::ftruncate(file.get(), static_cast<off_t>(size_)) != 0)
            throw Error::from_errno(fmt::format("sizing {}", source_.string()), errno);
        file.reset();
        run_checked({"mkfs.btrfs", "-q", "-f", "-L", name_, source_.string()}, fmt::format("formatting {}", source_.string()));
    }
    mount_pool();
    revert.add([this] { unmount_pool(); });
    revert.success();
}

void BtrfsDriver::mount_pool() {
    if (backing_ == Backing::LoopFile) {
        make_dir_with_mode(mount_dir_, 0711);
        if (!is_mount_point(mount_dir_)) {
            std::error_code ec;
            if (!fs::is_regular_file(source_, ec))
                throw Error(ErrorCode::NotFound, fmt::format("loop file {} of btrfs pool \"{}\" not found", source_.string(), name_), "source");
            LoopDevice loop = loop_attach(source_);
            if (::mount(loop.path.c_str(), mount_dir_.c_str(), "btrfs", 0, mount_options_.c_str()) != 0)
                throw Error::from_errno(fmt::format("mounting {} ({}) at {}", source_.string(), loop.path, mount_dir_.string()), errno);
        }
    } else if (!btrfs::is_btrfs(source_)) {
        throw Error(ErrorCode::NotSupported, fmt::format("source {} of pool \"{}\" is not on btrfs", source_.string(), name_), "source");
    }
    ::chmod(root_.c_str(), 0711);
    make_type_dirs();
}

void BtrfsDriver::make_type_dirs() {
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) make_dir_with_mode(root_ / volume_type_dir(type), 0711);
}

void BtrfsDriver::unmount_pool() {
    if (backing_ != Backing::LoopFile) return;
    // Overlays or binds below the pool first; the loop device clears itself with the last mount.
    unmount_all_below(mount_dir_);
}

void BtrfsDriver::delete_pool() {
    if (backing_ == Backing::LoopFile) {
        unmount_pool();
        std::error_code ec;
        fs::remove(source_, ec);
        ::rmdir(mount_dir_.c_str());
        return;
    }
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) {
        fs::path dir = root_ / volume_type_dir(type);
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) remove_volume_tree(entry.path());
        ::rmdir(dir.c_str());
    }
    delete_all_snapshots();
}

fs::path BtrfsDriver::volume_path(const VolumeRef& vol) const { return root_ / volume_type_dir(vol.type) / vol.name; }

bool BtrfsDriver::volume_exists(const VolumeRef& vol) const {
    std::error_code ec;
    return fs::exists(volume_path(vol), ec);
}

void BtrfsDriver::remove_volume_tree(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) return;
    if (btrfs::is_subvolume(path)) {
        btrfs::set_read_only(path, false);
        btrfs::delete_subvolume(path);
    } else {
        remove_tree(path);
    }
}

void BtrfsDriver::remove_staging_leftovers() {
    for (const auto& path : staging_leftovers(root_)) {
        remove_volume_tree(path);
        log::warn("removed a half-made volume left by an interrupted operation", {{"path", path.string()}});
    }
}

void BtrfsDriver::create_volume(const VolumeRef& vol, const VolumeFiller& filler) {
    fs::path final_path = volume_path(vol);
    if (volume_exists(vol)) throw Error(ErrorCode::AlreadyExists, fmt::format("volume {} already exists", final_path.string()));
    fs::path staging = volume_staging_path(final_path);
    remove_volume_tree(staging);  // left by a crash
    btrfs::create_subvolume(staging);
    Reverter revert;
    revert.add([this, staging] { remove_volume_tree(staging); });
    ::chmod(staging.c_str(), 0711);
    // Fillers create the directory they are given; the subvolume already exists, so they fill
    // a directory inside it whose entries then move up (renames inside one subvolume).
    fs::path fill = staging / ".fill";
    filler(fill);
    for (const auto& entry : fs::directory_iterator(fill)) {
        if (::rename(entry.path().c_str(), (staging / entry.path().filename()).c_str()) != 0)
            throw Error::from_errno(fmt::format("moving {}", entry.path().string()), errno);
    }
    if (::rmdir(fill.c_str()) != 0) throw Error::from_errno(fmt::format("removing {}", fill.string()), errno);
    if (::rename(staging.c_str(), final_path.c_str()) != 0)
        throw Error::from_errno(fmt::format("renaming {}", staging.string()), errno);
    revert.success();
    // An image volume is shared by every instance snapshotted from it: nothing may change it.
    if (vol.type == VolumeType::Image) btrfs::set_read_only(final_path, true);
}

void BtrfsDriver::copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) {
    fs::path source = volume_path(from);
    if (!btrfs::is_subvolume(source)) throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", source.string()));
    fs::path final_path = volume_path(to);
    if (volume_exists(to)) throw Error(ErrorCode::AlreadyExists, fmt::format("volume {} already exists", final_path.string()));
    ctx.check_cancelled();
    fs::path staging = volume_staging_path(final_path);
    remove_volume_tree(staging);
    btrfs::snapshot(source, staging, to.type == VolumeType::Image);
    Reverter revert;
    revert.add([this, staging] { remove_volume_tree(staging); });
    if (::rename(staging.c_str(), final_path.c_str()) != 0)
        throw Error::from_errno(fmt::format("renaming {}", staging.string()), errno);
    revert.success();
}

void BtrfsDriver::delete_volume(const VolumeRef& vol) {
    fs::path path = volume_path(vol);
    remove_volume_tree(volume_staging_path(path));
    remove_volume_tree(path);
    delete_volume_snapshots(vol);
}

}  // namespace li
