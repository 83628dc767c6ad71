// Volume copies through the file trees (see volume_transfer.hpp).
#include "storage/volume_transfer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

bool is_content(const fs::path& entry, VolumeFiles files) {
    return files == VolumeFiles::All || !entry.filename().string().starts_with(".");
}

// Gives `dest` (an existing volume root) exactly the content of `source`: its own entries are
// removed first, then the source's are copied, and the root takes the source root's owner and mode.
void replace_content(const fs::path& source, const fs::path& dest, VolumeFiles files, OperationContext& ctx) {
    for (const auto& entry : fs::directory_iterator(dest))
        if (is_content(entry.path(), files)) remove_tree(entry.path());
    for (const auto& entry : fs::directory_iterator(source)) {
        if (!is_content(entry.path(), files)) continue;
        ctx.check_cancelled();
        copy_tree(entry.path(), dest / entry.path().filename(), ctx.stop_token());
    }
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) throw Error::from_errno("stat " + source.string(), errno);
    if (::chown(dest.c_str(), st.st_uid, st.st_gid) != 0) throw Error::from_errno("chown " + dest.string(), errno);
    if (::chmod(dest.c_str(), st.st_mode & 07777) != 0) throw Error::from_errno("chmod " + dest.string(), errno);
}

}  // namespace

void copy_volume_across(StorageDriver& from_pool, StorageDriver& to_pool, const VolumeRef& from, const VolumeRef& to,
                        VolumeFiles files, OperationContext& ctx) {
    fs::path source = from_pool.mount_volume(from);
    Reverter unmount_after;
    unmount_after.add([&from_pool, from] { from_pool.unmount_volume(from); });
    to_pool.create_volume(to, [&](const fs::path& dest) {
        fs::create_directories(dest);
        replace_content(source, dest, files, ctx);
    });
}

void copy_snapshot_to_volume(StorageDriver& from_pool, StorageDriver& to_pool, const VolumeRef& from, const std::string& snapshot,
                             const VolumeRef& to, VolumeFiles files, OperationContext& ctx) {
    fs::path source = from_pool.mount_snapshot(from, snapshot);
    Reverter unmount_after;
    unmount_after.add([&from_pool, from, snapshot] { from_pool.unmount_snapshot(from, snapshot); });
    to_pool.create_volume(to, [&](const fs::path& dest) {
        fs::create_directories(dest);
        replace_content(source, dest, files, ctx);
    });
}

void copy_volume_with_snapshots(StorageDriver& from_pool, StorageDriver& to_pool, const VolumeRef& from, const VolumeRef& to,
                                const std::vector<std::string>& snapshots, VolumeFiles files, OperationContext& ctx,
                                const std::function<void(size_t)>& passed) {
    auto pass_done = [&](size_t n) { if (passed) passed(n); };
    if (snapshots.empty()) {
        if (&from_pool == &to_pool)
            from_pool.copy_volume(from, to, ctx);
        else
            copy_volume_across(from_pool, to_pool, from, to, files, ctx);
        pass_done(1);
        return;
    }
    copy_snapshot_to_volume(from_pool, to_pool, from, snapshots.front(), to, files, ctx);
    Reverter revert;
    revert.add([&to_pool, to] { to_pool.delete_volume(to); });  // takes the snapshots made so far with it
    for (size_t i = 0; i < snapshots.size(); ++i) {
        if (i > 0) {
            fs::path snapshot = from_pool.mount_snapshot(from, snapshots[i]);
            Reverter unmount_snapshot;
            unmount_snapshot.add([&from_pool, from, name = snapshots[i]] { from_pool.unmount_snapshot(from, name); });
            replace_content(snapshot, to_pool.volume_path(to), files, ctx);
        }
        to_pool.create_snapshot(to, snapshots[i], ctx);
        ctx.check_cancelled();
        pass_done(i + 1);
    }
    fs::path source = from_pool.mount_volume(from);
    Reverter unmount_after;
    unmount_after.add([&from_pool, from] { from_pool.unmount_volume(from); });
    replace_content(source, to_pool.volume_path(to), files, ctx);
    pass_done(snapshots.size() + 1);
    revert.success();
}

}  // namespace li
