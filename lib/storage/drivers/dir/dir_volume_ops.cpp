// The dir driver's volume operations beyond create/copy/delete: rename, snapshots, usage.
//
// Snapshots are full copies (cp -a: owners, modes, times, xattrs, hard links, symlinks and device
// nodes kept) at <pool>/<type>-snapshots/<volume>/<snapshot> (see storage/volume_snapshots.hpp).
// A dir pool cannot make them read-only for root; nothing here writes to them after they are made.
// A layered (overlay) volume is snapshotted in its own, layered form: its files beside rootfs/,
// .overlay/base and the upper layer .overlay/rw/upper (the image's lower layer never changes), with
// an empty rootfs/ and a fresh work directory, so restoring brings back exactly the same overlay.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/drivers/dir/dir_driver.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_snapshots.hpp"
#include "sys/fs.hpp"
#include "sys/mount.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOverlay = ".overlay";

bool is_layered(const fs::path& volume_dir) {
    std::error_code ec;
    return fs::exists(volume_dir / kOverlay / "base", ec);
}

// A new directory with the owner and mode of `model` (not following a mount on it: lstat of the
// mount point shows the mounted root, so callers pass a directory that is never mounted over).
void make_dir_as(const fs::path& dir, const fs::path& model) {
    struct stat st {};
    if (::lstat(model.c_str(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", model.string()), errno);
    if (::mkdir(dir.c_str(), st.st_mode & 07777) != 0) throw Error::from_errno(fmt::format("creating {}", dir.string()), errno);
    if (::lchown(dir.c_str(), st.st_uid, st.st_gid) != 0) throw Error::from_errno(fmt::format("chown {}", dir.string()), errno);
    ::chmod(dir.c_str(), st.st_mode & 07777);
}

// Copies a volume's own state to the new path `to`: a flat volume whole; a layered one in its
// layered form (see the top of this file), never through its mounted merged rootfs/.
void copy_volume_state(const fs::path& from, const fs::path& to, std::stop_token stop) {
    if (!is_layered(from)) {
        copy_tree(from, to, stop);
        return;
    }
    make_dir_as(to, from);
    const fs::path upper = from / kOverlay / "rw" / "upper";
    for (const auto& entry : fs::directory_iterator(from)) {
        const std::string name = entry.path().filename().string();
        if (name == "rootfs") {
            make_dir_as(to / "rootfs", upper);  // the merged root takes the upper root's looks
        } else if (name == kOverlay) {
            make_dir_as(to / kOverlay, entry.path());
            copy_tree(entry.path() / "base", to / kOverlay / "base", stop);
            make_dir_as(to / kOverlay / "rw", entry.path() / "rw");
            copy_tree(upper, to / kOverlay / "rw" / "upper", stop);
            make_dir_as(to / kOverlay / "rw" / "work", entry.path() / "rw" / "work");
        } else {
            copy_tree(entry.path(), to / name, stop);
        }
    }
}

// Unmounts whatever a layered volume (or a staged copy of one) has mounted.
void unmount_layers(const fs::path& volume_dir) {
    unmount(volume_dir / "rootfs");
    unmount(volume_dir / kOverlay / "lower-mnt");
    unmount(volume_dir / kOverlay / "rw-mnt");
}

}  // namespace

void DirDriver::rename_volume(const VolumeRef& vol, const std::string& new_name) {
    // A mounted overlay below the volume moves with its directory.
    rename_volume_entries(pool_dir_, vol, new_name);
}

fs::path DirDriver::existing_volume(const VolumeRef& vol) const {
    fs::path path = volume_path(vol);
    if (!volume_exists(vol)) throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", path.string()));
    return path;
}

void DirDriver::create_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) {
    check_entry_name(snapshot, "name");
    create_copied_snapshot(pool_dir_, vol, existing_volume(vol), snapshot, copy_volume_state, ctx);
}

std::vector<std::string> DirDriver::list_snapshots(const VolumeRef& vol) const {
    existing_volume(vol);
    return snapshot_names_oldest_first(volume_snapshots_dir(pool_dir_, vol));
}

fs::path DirDriver::snapshot_path(const VolumeRef& vol, const std::string& snapshot) const {
    return existing_snapshot_dir(pool_dir_, vol, snapshot);
}

void DirDriver::delete_snapshot(const VolumeRef& vol, const std::string& snapshot) {
    unmount_snapshot(vol, snapshot);  // never remove files through a mounted view
    delete_snapshot_dir(snapshot_path(vol, snapshot));
}

void DirDriver::remove_staging_leftovers() {
    for (const auto& path : staging_leftovers(pool_dir_)) {
        unmount_layers(path);  // a staged layered copy may have its overlay mounted
        remove_tree(path);
        log::warn("removed a half-made volume left by an interrupted operation", {{"path", path.string()}});
    }
}

fs::path DirDriver::mount_snapshot(const VolumeRef& vol, const std::string& snapshot) {
    fs::path path = snapshot_path(vol, snapshot);
    std::string base = base_under(path);
    if (base.empty()) return path;  // a flat snapshot is whole
    fs::path rootfs = path / "rootfs";
    if (is_overlay(rootfs) && is_mount_point(rootfs)) return path;
    fs::path lower = volume_path(VolumeRef{VolumeType::Image, base}) / "rootfs";
    try {
        mount_overlay_readonly({path / kOverlay / "rw" / "upper", lower}, rootfs);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("mounting snapshot {}", path.string()));
    }
    return path;
}

void DirDriver::unmount_snapshot(const VolumeRef& vol, const std::string& snapshot) {
    fs::path rootfs = snapshot_path(vol, snapshot) / "rootfs";
    if (is_overlay(rootfs)) unmount(rootfs);
}

void DirDriver::rename_snapshot(const VolumeRef& vol, const std::string& snapshot, const std::string& new_name) {
    rename_snapshot_entry(snapshot_path(vol, snapshot), new_name, vol);
}

// Staged beside the volume, then swapped in with one atomic exchange: until then the volume is
// untouched, and a failed copy leaves nothing behind.
void DirDriver::restore_snapshot(const VolumeRef& vol, const std::string& snapshot, OperationContext& ctx) {
    const fs::path source = snapshot_path(vol, snapshot);
    restore_copied_snapshot(source, existing_volume(vol), copy_volume_state, unmount_layers, ctx);
}

// A layered volume's own data is its upper layer; the image below it is the image's.
uint64_t DirDriver::volume_usage(const VolumeRef& vol) const {
    const fs::path path = existing_volume(vol);
    if (is_layered(path)) return tree_disk_usage(path / kOverlay / "rw" / "upper");
    return tree_disk_usage(path);
}

void DirDriver::set_volume_size(const VolumeRef& vol, uint64_t bytes) {
    (void)bytes;
    existing_volume(vol);
    throw Error(ErrorCode::NotSupported,
                fmt::format("dir pool \"{}\" cannot enforce volume sizes (it has no quota mechanism); use a btrfs pool to limit volume \"{}\"",
                            name_, vol.name),
                "size");
}

void DirDriver::delete_volume_snapshots(const VolumeRef& vol) {
    remove_tree(volume_snapshots_dir(pool_dir_, vol));
}

}  // namespace li
