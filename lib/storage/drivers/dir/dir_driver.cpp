#include "storage/drivers/dir/dir_driver.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/fs_usage.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_snapshots.hpp"
#include "sys/fs.hpp"
#include "sys/mount.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// A layered volume keeps its overlay state here: base (the image volume it layers over), rw/upper
// and rw/work, and mount points for idmapped layers. The container only sees the merged rootfs/.
constexpr const char* kOverlayDir = ".overlay";




// The merged root directory takes the upper directory's owner and mode, so the upper root
// must look like the image's root.
void make_dir_like(const fs::path& dir, const fs::path& model) {
    struct stat st {};
    if (::stat(model.c_str(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", model.string()), errno);
    make_dir_with_mode(dir, st.st_mode & 07777);
    if (::chown(dir.c_str(), st.st_uid, st.st_gid) != 0) throw Error::from_errno(fmt::format("chown {}", dir.string()), errno);
    ::chmod(dir.c_str(), st.st_mode & 07777);
}

bool overlay_disabled_by_env() {
    const char* env = std::getenv("LIBINSTANCE_DIR_NO_OVERLAY");
    return env && *env && std::string(env) != "0";
}

}  // namespace

DirDriver::DirDriver(const StoragePoolParams& params) : name_(params.name), pool_dir_(params.pool_dir) {
    if (auto it = params.config.find("source"); it != params.config.end() && !it->second.empty()) pool_dir_ = it->second;
}

StorageDriverInfo DirDriver::info() const { return StorageDriverInfo{"dir", overlay_}; }

// The pool shares its file system with whatever else is on it: as LXD, the figures are that file
// system's (no per-pool quota).
PoolUsage DirDriver::pool_usage() const { return fs_usage(pool_dir_, true); }

std::map<std::string, std::string> DirDriver::pool_config(const StoragePoolParams& params) {
    std::map<std::string, std::string> config = params.config;
    for (const auto& [key, value] : config) {
        if (key != "source") throw Error::invalid(key, fmt::format("unknown dir pool config key \"{}\" (known: source)", key));
    }
    auto& source = config["source"];
    if (source.empty()) source = params.pool_dir.string();
    if (!fs::path(source).is_absolute())
        throw Error::invalid("source", fmt::format("source \"{}\" is not an absolute path", source));
    return config;
}

void DirDriver::mount_pool() {
    make_dir_with_mode(pool_dir_, 0711);
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) make_dir_with_mode(pool_dir_ / volume_type_dir(type), 0711);
    overlay_ = probe_overlay();
}

// Mounting a tiny overlay is the only reliable test: overlayfs refuses some upper file systems
// (no d_type, no xattrs, another overlay) and may be missing from the kernel altogether.
bool DirDriver::probe_overlay() {
    if (overlay_disabled_by_env()) {
        log::warn("overlayfs disabled by LIBINSTANCE_DIR_NO_OVERLAY; instance volumes are full copies", {{"pool", name_}});
        return false;
    }
    // The outcome is kept per kernel release, so opening a manager (every CLI command) does not
    // pay for a mount, an unmount and a tree removal each time.
    struct utsname uts{};
    ::uname(&uts);
    const fs::path result_file = pool_dir_ / ".overlay-probe.result";
    const std::string release = uts.release;
    std::error_code ec;
    if (fs::exists(result_file, ec)) {
        std::string known = read_file(result_file, 256);
        if (known == "ok " + release) return true;
        if (known == "no " + release) {
            log::warn("overlayfs does not work on this pool's file system; instance volumes are full copies of their image",
                      {{"pool", name_}, {"path", pool_dir_.string()}});
            return false;
        }
    }
    bool works = probe_overlay_now();
    write_file_atomic(result_file, (works ? "ok " : "no ") + release, 0600);
    return works;
}

bool DirDriver::probe_overlay_now() {
    fs::path probe = pool_dir_ / ".overlay-probe";
    unmount(probe / "merged");
    remove_tree(probe);
    try {
        make_dir_with_mode(probe, 0700);
        for (const char* d : {"lower", "upper", "work", "merged"}) make_dir_with_mode(probe / d, 0700);
        mount_overlay(probe / "lower", probe / "upper", probe / "work", probe / "merged");
        unmount(probe / "merged");
        remove_tree(probe);
        return true;
    } catch (const Error& e) {
        unmount(probe / "merged");
        remove_tree(probe);
        log::warn("overlayfs does not work on this pool's file system; instance volumes are full copies of their image",
                  {{"pool", name_}, {"path", pool_dir_.string()}, {"error", e.what()}});
        return false;
    }
}

void DirDriver::delete_pool() {
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) {
        fs::path dir = pool_dir_ / volume_type_dir(type);
        unmount_all_below(dir);
        remove_tree(dir);
    }
    for (const auto& dir : snapshot_type_dirs(pool_dir_)) remove_tree(dir);
    // An empty source directory goes too; one holding files that are not ours stays.
    ::rmdir(pool_dir_.c_str());
}

fs::path DirDriver::volume_path(const VolumeRef& vol) const { return pool_dir_ / volume_type_dir(vol.type) / vol.name; }

bool DirDriver::volume_exists(const VolumeRef& vol) const {
    std::error_code ec;
    return fs::exists(volume_path(vol), ec);
}

void DirDriver::create_volume(const VolumeRef& vol, const VolumeFiller& filler) {
    fs::path final_path = volume_path(vol);
    if (volume_exists(vol)) throw Error(ErrorCode::AlreadyExists, fmt::format("volume {} already exists", final_path.string()));
    fs::path staging = volume_staging_path(final_path);
    unmount(staging / "rootfs");
    remove_tree(staging);  // left by a crash
    Reverter revert;
    revert.add([staging] {
        unmount(staging / "rootfs");
        remove_tree(staging);
    });
    filler(staging);
    if (::rename(staging.c_str(), final_path.c_str()) != 0)
        throw Error::from_errno(fmt::format("renaming {}", staging.string()), errno);
    revert.success();
}

void DirDriver::copy_volume(const VolumeRef& from, const VolumeRef& to, OperationContext& ctx) {
    if (!volume_exists(from)) throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", volume_path(from).string()));
    // A VM image's volume holds a disk image (root.img) instead of a rootfs: it is copied flat
    // (sparse, reflinked where the file system can).
    bool has_rootfs = fs::is_directory(volume_path(from) / "rootfs");
    if (overlay_ && has_rootfs && from.type == VolumeType::Image && to.type == VolumeType::Container) {
        create_volume(to, [&](const fs::path& dest) { make_layered_copy(volume_path(from), from.name, dest, ctx); });
    } else if (overlay_ && from.type == VolumeType::Container && to.type == VolumeType::Container && !base_of(from).empty()) {
        create_volume(to, [&](const fs::path& dest) { copy_layers(from, dest, ctx); });
    } else {
        create_volume(to, [&](const fs::path& dest) { copy_flat(from, dest, ctx); });
    }
}

// The image's small top-level files (metadata.yaml, templates/) are copied so templates can be
// applied and the volume published like LXD's; only rootfs/ is layered.
void DirDriver::make_layered_copy(const fs::path& image_volume, const std::string& base, const fs::path& dest,
                                  OperationContext& ctx) {
    fs::path lower = image_volume / "rootfs";
    if (!fs::is_directory(lower)) throw Error(ErrorCode::NotFound, fmt::format("image volume {} has no rootfs", image_volume.string()));
    make_dir_with_mode(dest, 0711);
    for (const char* entry : {"metadata.yaml", "templates"}) {
        std::error_code ec;
        if (fs::exists(image_volume / entry, ec)) copy_tree(image_volume / entry, dest / entry, ctx.stop_token());
    }
    fs::path overlay = dest / kOverlayDir;
    make_dir_with_mode(overlay, 0700);
    make_dir_with_mode(overlay / "rw", 0700);
    make_dir_like(overlay / "rw" / "upper", lower);
    make_dir_with_mode(overlay / "rw" / "work", 0700);
    write_file_atomic(overlay / "base", base + "\n", 0600);
    make_dir_like(dest / "rootfs", lower);
}

// A layered copy of a layered volume: the same image layer under a copy of the source's own upper
// layer. Cheap, and right even while the source runs: the upper layer on disk holds unshifted ids
// (whiteouts and opaque-dir xattrs included, which cp -a keeps), while the source's mounted view
// is shifted to its container's ids.
void DirDriver::copy_layers(const VolumeRef& from, const fs::path& dest, OperationContext& ctx) {
    fs::path source = volume_path(from);
    std::string base = base_of(from);
    make_layered_copy(volume_path(VolumeRef{VolumeType::Image, base}), base, dest, ctx);
    for (const auto& entry : fs::directory_iterator(source)) {
        std::string name = entry.path().filename().string();
        if (name == kOverlayDir || name == "rootfs") continue;
        remove_tree(dest / name);  // the source's own metadata.yaml, templates/, ... win over the image's
        copy_tree(entry.path(), dest / name, ctx.stop_token());
    }
    fs::path upper = fs::path(kOverlayDir) / "rw" / "upper";
    remove_tree(dest / upper);
    copy_tree(source / upper, dest / upper, ctx.stop_token());
}

// A whole, independent copy: the merged view of a layered source, without its overlay state.
void DirDriver::copy_flat(const VolumeRef& from, const fs::path& dest, OperationContext& ctx) {
    fs::path source = volume_path(from);
    bool layered = fs::exists(source / kOverlayDir);
    bool was_mounted = !layered || is_overlay(source / "rootfs");
    mount_volume(from);
    Reverter unmount_after;
    if (!was_mounted) unmount_after.add([this, from] { unmount_volume(from); });
    if (!layered) {
        copy_tree(source, dest, ctx.stop_token());
        return;
    }
    make_dir_with_mode(dest, 0711);
    for (const auto& entry : fs::directory_iterator(source)) {
        if (entry.path().filename() == kOverlayDir) continue;
        copy_tree(entry.path(), dest / entry.path().filename(), ctx.stop_token());
    }
}

void DirDriver::delete_volume(const VolumeRef& vol) {
    fs::path path = volume_path(vol);
    unmount(volume_staging_path(path) / "rootfs");
    remove_tree(volume_staging_path(path));
    unmount(path / "rootfs");
    remove_tree(path);
    delete_volume_snapshots(vol);
}

// The image volume a layered volume lays over, or "" for a flat volume.
std::string DirDriver::base_of(const VolumeRef& vol) const {
    fs::path path = volume_path(vol);
    std::error_code ec;
    if (!fs::exists(path / kOverlayDir / "base", ec) && !fs::exists(path, ec))
        throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", path.string()));
    return base_under(path);
}

// The image volume a layered volume's (or snapshot's) directory lays over, or "" when it is flat;
// NotFound when that image volume is gone.
std::string DirDriver::base_under(const fs::path& dir) const {
    std::error_code ec;
    if (!fs::exists(dir / kOverlayDir / "base", ec)) return {};
    std::string base = read_file(dir / kOverlayDir / "base", 4096);
    while (!base.empty() && (base.back() == '\n' || base.back() == ' ')) base.pop_back();
    if (base.empty() || !fs::is_directory(volume_path(VolumeRef{VolumeType::Image, base}) / "rootfs", ec))
        throw Error(ErrorCode::NotFound, fmt::format("image volume {} under {} is missing", base, dir.string()));
    return base;
}

namespace {
// Whether the mounted rootfs is an overlay of layers idmapped to root_uid (its root appears owned
// by that subordinate uid) rather than the plain view (owned by host root) or another map's.
bool mounted_shifted(const fs::path& rootfs, uint64_t root_uid) {
    struct stat st {};
    return ::stat(rootfs.c_str(), &st) == 0 && st.st_uid == root_uid;
}
}  // namespace

bool DirDriver::mount_volume_shifted(const VolumeRef& vol, const IdMap& idmap) {
    fs::path path = volume_path(vol);
    std::string base = base_of(vol);
    if (base.empty()) return false;
    fs::path rootfs = path / "rootfs";
    if (is_overlay(rootfs) && is_mount_point(rootfs)) {
        if (mounted_shifted(rootfs, root_host_uid(idmap))) return true;
        unmount(rootfs);  // the plain view (e.g. left by publishing) or another map's is remade
    }
    // Overlayfs cannot itself be idmapped, but its layers can: idmapped copies of the image's
    // rootfs and of the volume's rw/ are attached, overlaid, then detached again (the overlay
    // keeps private clones of its layers).
    fs::path overlay = path / kOverlayDir;
    fs::path lower_mnt = overlay / "lower-mnt", rw_mnt = overlay / "rw-mnt";
    make_dir_with_mode(lower_mnt, 0700);
    make_dir_with_mode(rw_mnt, 0700);
    unmount(lower_mnt);
    unmount(rw_mnt);
    UniqueFd userns = userns_for(idmap);
    Reverter detach;
    detach.add([&] { unmount(lower_mnt); unmount(rw_mnt); });
    try {
        bind_idmapped(volume_path(VolumeRef{VolumeType::Image, base}) / "rootfs", lower_mnt, userns.get());
        bind_idmapped(overlay / "rw", rw_mnt, userns.get());
        with_fs_ids(root_host_uid(idmap), root_host_gid(idmap),
                    [&] { mount_overlay(lower_mnt, rw_mnt / "upper", rw_mnt / "work", rootfs); });
    } catch (const Error& e) {
        throw e.with_context(fmt::format("mounting volume {}", path.string()));
    }
    return true;
}

fs::path DirDriver::mount_volume(const VolumeRef& vol) {
    fs::path path = volume_path(vol);
    fs::path overlay = path / kOverlayDir;
    std::string base = base_of(vol);
    if (base.empty()) return path;  // a flat volume is always whole
    if (is_overlay(path / "rootfs") && is_mount_point(path / "rootfs")) return path;
    fs::path lower = volume_path(VolumeRef{VolumeType::Image, base}) / "rootfs";
    try {
        mount_overlay(lower, overlay / "rw" / "upper", overlay / "rw" / "work", path / "rootfs");
    } catch (const Error& e) {
        throw e.with_context(fmt::format("mounting volume {}", path.string()));
    }
    return path;
}

void DirDriver::unmount_volume(const VolumeRef& vol) {
    fs::path rootfs = volume_path(vol) / "rootfs";
    if (is_overlay(rootfs)) unmount(rootfs);
}

}  // namespace li
