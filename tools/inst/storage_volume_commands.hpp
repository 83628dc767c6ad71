#pragma once
// The parts of `inst storage volume` beyond plain custom volume CRUD: snapshots (addressed as
// "<volume>/<snapshot>" like lxc), copy/move, and info. Each lives in its own cmd_storage_volume_*.cpp.

#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "libinstance/storage_volume.hpp"

namespace li::cli {

/// A pool argument `[<remote>:]<pool>` as lxc reads it (no prefix: the default remote, "local:"
/// this state directory): the pool's name and the volumes of its server. An image server is a
/// UsageError naming it.
struct PoolRef {
    StorageVolumeStore& volumes;
    std::string pool;
};
PoolRef pool_ref(Context& ctx, const std::string& arg);

/// "<volume>/<snapshot>" (or "custom/<volume>/<snapshot>"), as lxc addresses volume snapshots.
struct SnapshotSpec {
    std::string volume;
    std::string snapshot;
};
/// The snapshot a volume argument names, or nullopt for a plain volume ("vol", "custom/vol",
/// "container/c1"). An empty part ("vol/") is a UsageError naming the argument.
std::optional<SnapshotSpec> snapshot_spec(const std::string& spec);

// The snapshot forms of show/delete/rename/edit (cmd_storage_volume_snapshot.cpp); pool_arg is
// the command's `[<remote>:]<pool>` argument.
void show_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& snap);
void delete_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& snap, const std::string& shown);
void rename_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& from, const std::string& from_arg,
                            const std::string& to_arg);
void edit_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& snap, const std::string& yaml);

std::vector<Command> storage_volume_snapshot_commands();  ///< snapshot, restore
std::vector<Command> storage_volume_copy_commands();      ///< copy, move
Command storage_volume_info_command();                    ///< info
std::vector<Command> storage_volume_backup_commands();    ///< export, import

}  // namespace li::cli
