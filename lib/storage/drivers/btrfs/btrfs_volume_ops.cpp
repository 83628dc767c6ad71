// The btrfs driver's volume operations beyond create/copy/delete: rename, snapshots, quotas.
//
// Snapshots are read-only btrfs snapshots (instant, copy-on-write) of the volume's subvolume at
// <root>/<type>-snapshots/<volume>/<snapshot> (see storage/volume_snapshots.hpp). Restoring makes a
// writable snapshot of the snapshot beside the volume and swaps the two with one atomic exchange.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_driver.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"
#include "storage/drivers/btrfs/btrfs_qgroup.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_snapshots.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

void BtrfsDriver::rename_volume(const VolumeRef& vol, const std::string& new_name) {
    // Subvolumes (read-only ones too) move with rename(2) inside one file system.
    rename_volume_entries(root_, vol, new_name);
}

fs::path BtrfsDriver::existing_volume(const VolumeRef& vol) const {
    fs::path path = volume_path(vol);
    if (!btrfs::is_subvolume(path)) throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", path.string()));
    return path;
}

void BtrfsDriver::create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) {
    check_entry_name(snapshot, "name");
    const fs::path source = existing_volume(vol);
    const fs::path dir = volume_snapshots_dir(root_, vol);
    const fs::path dest = dir / snapshot;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dest, ec)))
        throw Error(ErrorCode::AlreadyExists, fmt::format("snapshot \"{}\" of volume \"{}\" already exists", snapshot, vol.name), "name");
    ctx.check_cancelled();
    make_dir_with_mode(dir.parent_path(), 0711);
    make_dir_with_mode(dir, 0711);
    Reverter revert;
    revert.add([dir] { ::rmdir(dir.c_str()); });  // only when this was the first snapshot
    btrfs::snapshot(source, dest, true);  // one ioctl: whole or not at all
    revert.success();
}

std::vector<std::string> BtrfsDriver::list_snapshots(const VolumeRef& vol) const {
    existing_volume(vol);
    return snapshot_names_oldest_first(volume_snapshots_dir(root_, vol));
}

fs::path BtrfsDriver::snapshot_path(const VolumeRef& vol, const std::string& snapshot) const {
    check_entry_name(snapshot, "name");
    fs::path path = volume_snapshots_dir(root_, vol) / snapshot;
    if (!btrfs::is_subvolume(path))
        throw Error(ErrorCode::NotFound, fmt::format("snapshot \"{}\" of volume \"{}\" not found", snapshot, vol.name), "name");
    return path;
}

void BtrfsDriver::delete_snapshot(const VolumeRef& vol, const std::string& snapshot) {
    const fs::path path = snapshot_path(vol, snapshot);
    remove_volume_tree(path);
    ::rmdir(path.parent_path().c_str());  // the volume's snapshot folder goes with its last snapshot
}

void BtrfsDriver::rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name) {
    rename_snapshot_entry(snapshot_path(vol, snapshot), new_name, vol);
}

void BtrfsDriver::restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) {
    const fs::path source = snapshot_path(vol, snapshot);
    const fs::path path = existing_volume(vol);
    const fs::path staging = volume_staging_path(path);
    remove_volume_tree(staging);
    ctx.check_cancelled();
    btrfs::snapshot(source, staging, vol.type == VolumeType::Image);
    Reverter revert;
    revert.add([this, staging] { remove_volume_tree(staging); });
    carry_over_limit(path, staging);
    exchange_paths(staging, path);
    revert.success();
    try {
        remove_volume_tree(staging);  // now the volume's former content
    } catch (const Error& e) {
        log::warn("could not remove a restored volume's former subvolume", {{"path", staging.string()}, {"error", e.what()}});
    }
}

void BtrfsDriver::delete_volume_snapshots(const VolumeRef& vol) {
    const fs::path dir = volume_snapshots_dir(root_, vol);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) remove_volume_tree(entry.path());
    ::rmdir(dir.c_str());
}

void BtrfsDriver::delete_all_snapshots() {
    for (const auto& type_dir : snapshot_type_dirs(root_)) {
        std::error_code ec;
        for (const auto& vol_dir : fs::directory_iterator(type_dir, ec)) {
            std::error_code ec2;
            for (const auto& entry : fs::directory_iterator(vol_dir.path(), ec2)) remove_volume_tree(entry.path());
            ::rmdir(vol_dir.path().c_str());
        }
        ::rmdir(type_dir.c_str());
    }
}

// A restored volume is a new subvolume with a new qgroup: the old one's limit moves over.
void BtrfsDriver::carry_over_limit(const fs::path& from, const fs::path& to) {
    auto figures = btrfs::qgroup_figures(from);
    if (figures && figures->max_referenced) btrfs::set_qgroup_limit(to, figures->max_referenced);
}

namespace {
// Qgroup figures change at a transaction commit; syncfs commits.
void commit(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::syncfs(fd.get()) != 0) throw Error::from_errno(fmt::format("syncing {}", path.string()), errno);
}
}  // namespace

// Sizes are limits on the bytes a volume's subvolume references (its qgroup's max_rfer), so a
// container clone counts the image data it shares, as LXD's btrfs quotas do. Quotas are turned on
// for the pool the first time a volume gets a size; they cost every write some accounting, so a
// pool without sizes does without.
void BtrfsDriver::set_volume_size(const VolumeRef& vol, uint64_t bytes) {
    const fs::path path = existing_volume(vol);
    if (bytes == 0) {
        if (btrfs::qgroup_figures(path)) btrfs::set_qgroup_limit(path, 0);
        return;
    }
    btrfs::enable_quota(root_);
    commit(path);
    auto figures = btrfs::qgroup_figures(path);
    const uint64_t used = figures ? figures->referenced : tree_disk_usage(path);
    if (used > bytes)
        throw Error::invalid("size", fmt::format("volume \"{}\" already holds {} bytes, more than the size of {} bytes", vol.name, used, bytes));
    btrfs::set_qgroup_limit(path, bytes);
}

// The referenced bytes of the qgroup when quotas are on (what a size limits), else a walk.
uint64_t BtrfsDriver::volume_usage(const VolumeRef& vol) const {
    const fs::path path = existing_volume(vol);
    commit(path);
    if (auto figures = btrfs::qgroup_figures(path)) return figures->referenced;
    return tree_disk_usage(path);
}

}  // namespace li
