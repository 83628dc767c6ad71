#include "storage/volume_snapshots.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <set>
#include <stdio.h>
#include <sys/stat.h>
#include <utility>

#include "core/log.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/volume_layout.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kStaging = ".creating";

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

fs::path volume_snapshots_dir(const fs::path& pool_root, const VolumeRef& vol) {
    return pool_root / (std::string(volume_type_dir(vol.type)) + "-snapshots") / vol.name;
}

std::vector<fs::path> snapshot_type_dirs(const fs::path& pool_root) {
    std::vector<fs::path> dirs;
    for (auto type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom})
        dirs.push_back(volume_snapshots_dir(pool_root, VolumeRef{type, ""}).parent_path());
    return dirs;
}

void check_entry_name(const std::string& name, const std::string& key) {
    if (name.empty()) throw Error::invalid(key, fmt::format("{} must not be empty", key));
    if (name == "." || name == "..") throw Error::invalid(key, fmt::format("{} \"{}\" is not a valid name", key, name));
    if (name.find('/') != std::string::npos)
        throw Error::invalid(key, fmt::format("{} \"{}\" must not contain '/'", key, name));
    if (name.find('\0') != std::string::npos) throw Error::invalid(key, fmt::format("{} must not contain a NUL byte", key));
    if (ends_with(name, kStaging))
        throw Error::invalid(key, fmt::format("{} \"{}\" must not end in \"{}\" (kept for staging)", key, name, kStaging));
}

void rename_no_replace(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
    int err = errno;
    if (err == EEXIST) throw Error(ErrorCode::AlreadyExists, fmt::format("{} already exists", to.string()));
    throw Error::from_errno(fmt::format("renaming {} to {}", from.string(), to.string()), err);
}

void exchange_paths(const fs::path& a, const fs::path& b) {
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0)
        throw Error::from_errno(fmt::format("swapping {} and {}", a.string(), b.string()), errno);
}

void rename_volume_entries(const fs::path& pool_root, const VolumeRef& vol, const std::string& new_name) {
    check_entry_name(new_name, "name");
    const VolumeRef target{vol.type, new_name};
    const fs::path from = pool_root / volume_type_dir(vol.type) / vol.name;
    const fs::path to = pool_root / volume_type_dir(vol.type) / new_name;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(from, ec)))
        throw Error(ErrorCode::NotFound, fmt::format("volume {} not found", from.string()), "name");
    if (vol.name == new_name) return;
    const fs::path snaps_from = volume_snapshots_dir(pool_root, vol);
    const fs::path snaps_to = volume_snapshots_dir(pool_root, target);
    if (fs::exists(fs::symlink_status(snaps_to, ec)))
        throw Error(ErrorCode::AlreadyExists,
                    fmt::format("volume \"{}\" cannot be renamed to \"{}\": {} already exists", vol.name, new_name, snaps_to.string()),
                    "name");
    try {
        rename_no_replace(from, to);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::AlreadyExists)
            throw Error(ErrorCode::AlreadyExists, fmt::format("volume {} already exists", to.string()), "name");
        throw;
    }
    Reverter revert;
    revert.add([&] { rename_no_replace(to, from); });
    if (fs::exists(fs::symlink_status(snaps_from, ec))) rename_no_replace(snaps_from, snaps_to);
    revert.success();
}

std::vector<std::string> snapshot_names_oldest_first(const fs::path& snapshots_dir) {
    std::vector<std::pair<std::pair<int64_t, uint32_t>, std::string>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(snapshots_dir, ec)) {
        std::string name = entry.path().filename().string();
        if (ends_with(name, kStaging)) continue;
        // Birth time survives renames (ctime does not); file systems without it fall back to mtime.
        struct statx stx {};
        std::pair<int64_t, uint32_t> when{0, 0};
        if (::statx(AT_FDCWD, entry.path().c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_MTIME, &stx) == 0)
            when = (stx.stx_mask & STATX_BTIME) ? std::pair<int64_t, uint32_t>{stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec}
                                                : std::pair<int64_t, uint32_t>{stx.stx_mtime.tv_sec, stx.stx_mtime.tv_nsec};
        found.push_back({when, std::move(name)});
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> names;
    for (auto& [when, name] : found) names.push_back(std::move(name));
    return names;
}

namespace {
void add_usage(const fs::path& dir, dev_t dev, std::set<std::pair<dev_t, ino_t>>& seen, uint64_t& total) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) != 0) continue;
        if (st.st_dev != dev) continue;  // another mount or a nested subvolume
        if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen.insert({st.st_dev, st.st_ino}).second) continue;
        total += static_cast<uint64_t>(st.st_blocks) * 512;
        if (S_ISDIR(st.st_mode)) add_usage(entry.path(), dev, seen, total);
    }
}
}  // namespace

uint64_t tree_disk_usage(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", dir.string()), errno);
    std::set<std::pair<dev_t, ino_t>> seen;
    uint64_t total = static_cast<uint64_t>(st.st_blocks) * 512;
    if (S_ISDIR(st.st_mode)) add_usage(dir, st.st_dev, seen, total);
    return total;
}

void rename_snapshot_entry(const fs::path& from, const std::string& new_name, const VolumeRef& vol) {
    check_entry_name(new_name, "name");
    if (from.filename() == new_name) return;
    try {
        rename_no_replace(from, from.parent_path() / new_name);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::AlreadyExists) throw;
        throw Error(ErrorCode::AlreadyExists, fmt::format("snapshot \"{}\" of volume \"{}\" already exists", new_name, vol.name), "name");
    }
}

void create_copied_snapshot(const fs::path& pool_root, const VolumeRef& vol, const fs::path& source, const std::string& snapshot,
                            const TreeCopy& copy, OperationContext& ctx) {
    check_entry_name(snapshot, "name");
    const fs::path dir = volume_snapshots_dir(pool_root, vol);
    const fs::path dest = dir / snapshot;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dest, ec)))
        throw Error(ErrorCode::AlreadyExists, fmt::format("snapshot \"{}\" of volume \"{}\" already exists", snapshot, vol.name), "name");
    make_dir_with_mode(dir.parent_path(), 0711);
    make_dir_with_mode(dir, 0711);
    const fs::path staging = volume_staging_path(dest);
    remove_tree(staging);  // left by a crash
    Reverter revert;
    revert.add([staging, dir] {
        remove_tree(staging);
        ::rmdir(dir.c_str());  // only when this was the first snapshot
    });
    ctx.check_cancelled();
    copy(source, staging, ctx.stop_token());
    rename_no_replace(staging, dest);
    revert.success();
}

fs::path existing_snapshot_dir(const fs::path& pool_root, const VolumeRef& vol, const std::string& snapshot) {
    check_entry_name(snapshot, "name");
    fs::path path = volume_snapshots_dir(pool_root, vol) / snapshot;
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(path, ec)))
        throw Error(ErrorCode::NotFound, fmt::format("snapshot \"{}\" of volume \"{}\" not found", snapshot, vol.name), "name");
    return path;
}

void delete_snapshot_dir(const fs::path& snapshot_dir) {
    remove_tree(snapshot_dir);
    ::rmdir(snapshot_dir.parent_path().c_str());  // the volume's snapshot folder goes with its last snapshot
}

void restore_copied_snapshot(const fs::path& snapshot_dir, const fs::path& volume, const TreeCopy& copy,
                             const std::function<void(const fs::path&)>& release, OperationContext& ctx) {
    const fs::path staging = volume_staging_path(volume);
    release(staging);
    remove_tree(staging);
    Reverter revert;
    revert.add([staging] { remove_tree(staging); });
    ctx.check_cancelled();
    copy(snapshot_dir, staging, ctx.stop_token());
    ctx.check_cancelled();
    release(volume);
    exchange_paths(staging, volume);
    revert.success();
    try {
        remove_tree(staging);  // now the volume's former content
    } catch (const Error& e) {
        log::warn("could not remove a restored volume's former content", {{"path", staging.string()}, {"error", e.what()}});
    }
}

}  // namespace li
