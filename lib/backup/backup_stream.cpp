// Optimized btrfs backups through btrfs-progs' send and receive (see backup_stream.hpp).
#include "backup/backup_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_snapshots.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li::backup {

namespace fs = std::filesystem;

namespace {

void remove_quietly(const fs::path& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

// <pool root>/<type>/<name> -> <pool root>
fs::path pool_root_of(StorageDriver& pool, const VolumeRef& vol) { return pool.volume_path(vol).parent_path().parent_path(); }

// The one subvolume `btrfs receive` made in the (otherwise empty) directory dir.
fs::path received_in(const fs::path& dir) {
    fs::path found;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!found.empty()) throw Error(ErrorCode::Backend, fmt::format("btrfs receive made more than one subvolume in {}", dir.string()));
        found = e.path();
    }
    if (found.empty()) throw Error(ErrorCode::Backend, fmt::format("btrfs receive made no subvolume in {}", dir.string()));
    return found;
}

}  // namespace

void btrfs_send_volume(StorageDriver& pool, const VolumeRef& vol, const std::vector<std::string>& snapshots,
                       const std::string& part, const std::string& snapshots_part, ArchiveWriter& out, const fs::path& spool,
                       OperationContext& ctx) {
    Reverter cleanup;
    cleanup.add([spool] { remove_quietly(spool); });
    std::string parent;
    auto send = [&](const fs::path& subvolume, const std::string& name) {
        std::vector<std::string> argv{"btrfs", "send", "-q", "-f", spool.string()};
        if (!parent.empty()) argv.insert(argv.end(), {"-p", parent});
        argv.push_back(subvolume.string());
        run_checked(argv, fmt::format("btrfs send {}", subvolume.string()), ctx.stop_token());
        out.add_disk_file(name, spool);
        remove_quietly(spool);
        parent = subvolume.string();
    };
    if (!snapshots.empty()) out.add_dir(snapshots_part);
    for (const auto& s : snapshots) send(pool.snapshot_path(vol, s), snapshots_part + "/" + s + ".bin");
    // Only read-only subvolumes can be sent: the volume is sent from a snapshot of itself.
    fs::path frozen = pool.volume_path(vol).parent_path() / ("." + vol.name + ".backup");
    btrfs::snapshot(pool.volume_path(vol), frozen, true);
    cleanup.add([frozen] {
        try {
            btrfs::delete_subvolume(frozen);
        } catch (...) {
        }
    });
    send(frozen, part + ".bin");
}

void btrfs_receive_volume(StorageDriver& pool, const VolumeRef& vol, const std::vector<std::string>& snapshots,
                          const std::string& part, const std::string& snapshots_part, const fs::path& file,
                          const UnpackLimits& limits, OperationContext& ctx) {
    if (pool.info().name != "btrfs")
        throw Error(ErrorCode::NotSupported, "an optimized backup holds btrfs streams and needs a btrfs pool", "pool");
    const fs::path target = pool.volume_path(vol);
    const fs::path staging = target.parent_path() / ("." + vol.name + ".receiving");
    const fs::path spool = target.parent_path() / ("." + vol.name + ".stream");
    const fs::path snapshots_dir = volume_snapshots_dir(pool_root_of(pool, vol), vol);
    Reverter revert;
    revert.add([spool] { remove_quietly(spool); });
    revert.add([staging] {
        std::error_code ec;
        if (fs::exists(staging, ec))
            for (const auto& dir : fs::directory_iterator(staging))
                for (const auto& e : fs::directory_iterator(dir.path())) btrfs::delete_subvolume(e.path());
        fs::remove_all(staging, ec);
    });
    // Snapshots made so far go with the volume's snapshot folder.
    revert.add([&pool, vol, snapshots_dir] {
        std::error_code ec;
        if (!fs::exists(snapshots_dir, ec)) return;
        for (const auto& e : fs::directory_iterator(snapshots_dir)) btrfs::delete_subvolume(e.path());
        fs::remove(snapshots_dir, ec);
    });
    // Every stream is received first and kept until the last: an incremental stream finds its
    // parent by the received subvolume's uuid. Then read-only snapshots of them take their
    // places (a read-only subvolume cannot be moved to another directory), and the volume is a
    // writable one.
    size_t n = 0;
    auto receive = [&](const std::string& entry) -> fs::path {
        ctx.check_cancelled();
        {
            UniqueFd fd(::open(spool.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            if (!fd) throw Error::from_errno(fmt::format("creating {}", spool.string()), errno);
            extract_entry_to_fd(file, entry, fd.get(), limits);
        }
        make_dir_with_mode(staging, 0700);
        fs::path into = staging / std::to_string(n++);
        make_dir_with_mode(into, 0700);
        run_checked({"btrfs", "receive", "-q", "-f", spool.string(), into.string()}, fmt::format("btrfs receive {}", entry),
                    ctx.stop_token());
        remove_quietly(spool);
        return received_in(into);
    };
    std::vector<fs::path> received;
    for (const auto& s : snapshots) received.push_back(receive(snapshots_part + "/" + s + ".bin"));
    fs::path volume = receive(part + ".bin");
    for (size_t i = 0; i < snapshots.size(); ++i) {
        make_dir_with_mode(snapshots_dir.parent_path(), 0711);
        make_dir_with_mode(snapshots_dir, 0711);
        btrfs::snapshot(received[i], snapshots_dir / snapshots[i], true);
    }
    btrfs::snapshot(volume, target, false);
    revert.add([target] { btrfs::delete_subvolume(target); });
    revert.success();
    // What was received is scaffolding now; a failure to remove it only leaves garbage.
    try {
        for (const auto& dir : fs::directory_iterator(staging))
            for (const auto& e : fs::directory_iterator(dir.path())) btrfs::delete_subvolume(e.path());
        fs::remove_all(staging);
    } catch (...) {
    }
}

}  // namespace li::backup
