// storage volume snapshot/restore, and the "<volume>/<snapshot>" forms of show, delete, rename
// and edit: lxc 5.0.2's custom volume snapshots over StorageVolumeStore.
#include <cstdio>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "context.hpp"
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"
#include "output.hpp"
#include "remote_ref.hpp"
#include "storage_volume_commands.hpp"

namespace li::cli {

namespace {

// A custom volume's name from "vol" or "custom/vol"; snapshots and other types are refused by name.
std::string volume_name(const std::string& spec) {
    std::string name = spec.starts_with("custom/") ? spec.substr(7) : spec;
    if (name.find('/') != std::string::npos)
        throw Error(ErrorCode::InvalidArgument, fmt::format("Only custom volumes have snapshots, not \"{}\"", spec), "volume");
    return name;
}

// lxc's SnapshotPut from YAML: description and expires_at ("" or null: never).
api::StorageVolumeSnapshotPut snapshot_put_from_yaml(const std::string& text) {
    api::StorageVolumeSnapshotPut put;
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
        if (!doc || doc.IsNull()) return put;
        if (!doc.IsMap()) throw Error::invalid("yaml", "the storage volume snapshot YAML must be a map");
        if (auto d = doc["description"]; d && !d.IsNull()) put.description = d.as<std::string>();
        if (auto e = doc["expires_at"]; e && !e.IsNull()) put.expires_at = e.as<std::string>();
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid storage volume snapshot YAML: {}", e.what()));
    }
    // What `show` prints for "never" (Go's zero time) is not an expiry.
    if (put.expires_at.starts_with("0001-01-01")) put.expires_at.clear();
    return put;
}

// snapshot <pool> <volume> [<snapshot>]: the store picks "snapN" when no name is given.
int run_snapshot(Context& ctx, const ParsedArgs& args) {
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::string volume = volume_name(args.positional[1]);
    api::StorageVolumeSnapshotsPost post;
    if (args.positional.size() > 2) post.name = args.positional[2];
    // --no-expiry: volumes have no snapshots.expiry here, so a snapshot never expires anyway.
    if (args.flag("reuse") && !post.name.empty()) {
        try {
            at.volumes.get_snapshot(at.pool, volume, post.name, ctx.project());
            at.volumes.delete_snapshot(at.pool, volume, post.name, ctx.project());
        } catch (const Error& e) {
            if (e.code() != ErrorCode::NotFound || e.key() != "snapshot") throw;
        }
    }
    at.volumes.create_snapshot(at.pool, volume, post, ctx.project());
    return 0;
}

int run_restore(Context& ctx, const ParsedArgs& args) {
    PoolRef at = pool_ref(ctx, args.positional[0]);
    at.volumes.restore_snapshot(at.pool, volume_name(args.positional[1]), args.positional[2], ctx.project());
    return 0;
}

}  // namespace

std::optional<SnapshotSpec> snapshot_spec(const std::string& spec) {
    std::string rest = spec.starts_with("custom/") ? spec.substr(7) : spec;
    auto slash = rest.find('/');
    if (slash == std::string::npos) return std::nullopt;
    std::string first = rest.substr(0, slash);
    // "container/c1" and "image/<fp>" are volumes of other types, not snapshots.
    if (rest.size() == spec.size() && (first == "container" || first == "image" || first == "virtual-machine"))
        return std::nullopt;
    SnapshotSpec out{first, rest.substr(slash + 1)};
    if (out.volume.empty() || out.snapshot.empty() || out.snapshot.find('/') != std::string::npos)
        throw UsageError(fmt::format("Invalid snapshot name \"{}\"", spec));
    return out;
}

void show_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& snap) {
    PoolRef at = pool_ref(ctx, pool_arg);
    auto s = at.volumes.get_snapshot(at.pool, snap.volume, snap.snapshot, ctx.project());
    std::fputs(render_yaml(api::to_json(s)).c_str(), stdout);
}

void delete_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& snap, const std::string& shown) {
    PoolRef at = pool_ref(ctx, pool_arg);
    at.volumes.delete_snapshot(at.pool, snap.volume, snap.snapshot, ctx.project());
    if (!ctx.quiet()) std::printf("Storage volume %s deleted\n", shown.c_str());
}

// As lxc: the new name is "<volume>/<new snapshot>" with the same volume.
void rename_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& from, const std::string& from_arg,
                            const std::string& to_arg) {
    PoolRef at = pool_ref(ctx, pool_arg);
    auto to = snapshot_spec(to_arg);
    if (!to) throw UsageError(fmt::format("Invalid new snapshot name \"{}\"", to_arg));
    if (to->volume != from.volume)
        throw UsageError(fmt::format("Invalid new snapshot name \"{}\", parent volume must be the same as source", to_arg));
    at.volumes.rename_snapshot(at.pool, from.volume, from.snapshot, to->snapshot, ctx.project());
    if (!ctx.quiet()) std::printf("Renamed storage volume from \"%s\" to \"%s\"\n", from_arg.c_str(), to_arg.c_str());
}

void edit_volume_snapshot(Context& ctx, const std::string& pool_arg, const SnapshotSpec& snap, const std::string& yaml) {
    PoolRef at = pool_ref(ctx, pool_arg);
    api::StorageVolumeSnapshotPut put = snapshot_put_from_yaml(yaml);
    at.volumes.update_snapshot(at.pool, snap.volume, snap.snapshot, put, ctx.project());
}

PoolRef pool_ref(Context& ctx, const std::string& arg) {
    RemoteRef ref = instance_ref(ctx, arg);
    if (!ref.remote.empty() && ctx.manager().remotes().get(ref.remote).protocol != "lxd")
        throw UsageError(fmt::format("The remote \"{}\" is an image server: it has no storage pools", ref.remote));
    return {ctx.manager(ref.remote).storage_volumes(), ref.name};
}

std::vector<Command> storage_volume_snapshot_commands() {
    std::vector<Command> out;
    Command snapshot = subcommand("snapshot", "<pool> <volume> [<snapshot>]", "Snapshot storage volumes", 2, 3, run_snapshot);
    snapshot.description = "Snapshot storage volumes\n\nWithout a name the snapshot is called snap0, snap1, ... (the next free number).";
    snapshot.flags = {{"no-expiry", 0, FlagKind::Bool, "Ignore any configured auto-expiry for the storage volume"},
                      {"reuse", 0, FlagKind::Bool, "If the snapshot name already exists, delete and create a new one"}};
    out.push_back(std::move(snapshot));
    out.push_back(subcommand("restore", "<pool> <volume> <snapshot>", "Restore storage volume snapshots", 3, 3, run_restore));
    return out;
}

}  // namespace li::cli
