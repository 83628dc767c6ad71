// storage volume copy/move: lxc 5.0.2's "<pool>/<volume>" copies and moves of custom volumes,
// within a pool or between pools, over StorageVolumeStore (create with source "copy", move), as
// operations: live progress, and Ctrl-C cancels (leaving no target).
#include <fmt/format.h>

#include "context.hpp"
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"
#include "storage_volume_commands.hpp"

namespace li::cli {

namespace {

struct PoolVolume {
    std::string pool;
    std::string volume;  ///< may be "vol/snap" for a source snapshot
    std::string remote;  ///< "" for this state directory
};

// "[<remote>:]<pool>/<volume>" as lxc's parseVolumeWithPool splits it (at the first '/'); no
// remote prefix is the default remote, as lxc.
PoolVolume pool_volume(Context& ctx, const std::string& arg, const char* which) {
    RemoteRef where = instance_ref(ctx, arg.substr(0, arg.find('/')));
    auto slash = arg.find('/');
    if (slash == std::string::npos) throw UsageError(fmt::format("No storage pool for {} volume specified", which));
    PoolVolume out{where.name, arg.substr(slash + 1), where.remote};
    if (out.pool.empty()) throw UsageError(fmt::format("No storage pool for {} volume specified", which));
    if (out.volume.starts_with("custom/")) out.volume.erase(0, 7);
    return out;
}

// Both ends on one server: it copies or moves the volume itself. Between servers the data would
// have to travel (LXD's migration), which is not supported.
std::string same_server(const PoolVolume& src, const PoolVolume& dst) {
    if (src.remote != dst.remote)
        throw Error(ErrorCode::NotSupported,
                    fmt::format("Copying or moving a storage volume from \"{}\" to \"{}\" is not supported: both must be on one server",
                                src.remote.empty() ? "local" : src.remote, dst.remote.empty() ? "local" : dst.remote),
                    "target");
    return src.remote;
}

// lxc's --mode picks how two servers exchange the data; here both ends are on one server.
void check_mode(const ParsedArgs& args) {
    std::string mode = args.string_or("mode", "pull");
    if (mode != "pull" && mode != "push" && mode != "relay")
        throw UsageError(fmt::format("Invalid transfer mode \"{}\" (pull, push or relay)", mode));
}

int run_copy(Context& ctx, const ParsedArgs& args) {
    check_mode(args);
    PoolVolume src = pool_volume(ctx, args.positional[0], "source");
    PoolVolume dst = pool_volume(ctx, args.positional[1], "target");
    if (src.volume.find('/') != std::string::npos)
        throw Error(ErrorCode::NotSupported,
                    fmt::format("Copying storage volume snapshot \"{}\" is not supported; copy the volume instead", src.volume),
                    "source.name");
    if (args.flag("refresh"))
        throw Error(ErrorCode::NotSupported, "--refresh is not supported: copy to a new volume name", "refresh");
    if (dst.volume.empty()) dst.volume = src.volume;
    api::StorageVolumesPost post;
    post.name = dst.volume;
    post.source.type = "copy";
    post.source.pool = src.pool;
    post.source.name = src.volume;
    post.source.project = ctx.project();
    post.source.volume_only = args.flag("volume-only");
    std::string target_project = args.string_or("target-project", ctx.project());
    ProgressRenderer progress("Copying the storage volume: ", ctx.quiet(), ctx.progress_bars());
    StorageVolumeStore& volumes = ctx.manager(same_server(src, dst)).storage_volumes();
    run_operation(ctx, progress, [&] { return volumes.create_async(dst.pool, post, target_project); });
    progress.done("Storage volume copied successfully!");
    return 0;
}

int run_move(Context& ctx, const ParsedArgs& args) {
    check_mode(args);
    PoolVolume src = pool_volume(ctx, args.positional[0], "source");
    PoolVolume dst = pool_volume(ctx, args.positional[1], "target");
    if (src.volume.find('/') != std::string::npos)
        throw Error(ErrorCode::InvalidArgument, fmt::format("Storage volume snapshot \"{}\" cannot be moved", src.volume),
                    "name");
    if (auto project = args.string("target-project"); project && *project != ctx.project())
        throw Error(ErrorCode::NotSupported,
                    fmt::format("Moving a storage volume to project \"{}\" is not supported", *project), "target-project");
    if (dst.volume.empty()) dst.volume = src.volume;
    api::StorageVolumePost post;
    post.name = dst.volume;
    post.pool = dst.pool;
    ProgressRenderer progress("Moving the storage volume: ", ctx.quiet(), ctx.progress_bars());
    StorageVolumeStore& volumes = ctx.manager(same_server(src, dst)).storage_volumes();
    run_operation(ctx, progress, [&] { return volumes.move_async(src.pool, src.volume, post, ctx.project()); });
    progress.done("Storage volume moved successfully!");
    return 0;
}

}  // namespace

std::vector<Command> storage_volume_copy_commands() {
    std::vector<Command> out;
    Command copy = subcommand("copy", "<pool>/<volume> <pool>/<volume>", "Copy storage volumes", 2, 2, run_copy);
    copy.aliases = {"cp"};
    copy.description = "Copy storage volumes\n\nThe copy takes the volume's snapshots along unless --volume-only is given; "
                       "the target may be on another pool.";
    copy.flags = {{"mode", 0, FlagKind::String, "Transfer mode. One of pull (default), push or relay. (default \"pull\")"},
                  {"refresh", 0, FlagKind::Bool, "Refresh and update the existing storage volume copies (not supported)"},
                  {"target-project", 0, FlagKind::String, "Copy to a project different from the source"},
                  {"volume-only", 0, FlagKind::Bool, "Copy the volume without its snapshots"}};
    out.push_back(std::move(copy));
    Command move = subcommand("move", "<pool>/<volume> <pool>/<volume>", "Move storage volumes between pools", 2, 2, run_move);
    move.aliases = {"mv"};
    move.description = "Move storage volumes between pools\n\nThe volume moves with its snapshots; on the same pool a "
                       "move is a rename. A volume in use by instances or profiles is not moved.";
    move.flags = {{"mode", 0, FlagKind::String, "Transfer mode, one of pull (default), push or relay (default \"pull\")"},
                  {"target-project", 0, FlagKind::String, "Move to a project different from the source"}};
    out.push_back(std::move(move));
    return out;
}

}  // namespace li::cli
