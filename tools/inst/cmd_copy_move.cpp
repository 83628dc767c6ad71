// copy, move and rename: lxc's instance copies (a clone on the same pool, a whole copy on
// another), renames and moves between storage pools; copies and moves between two servers
// (`inst copy r1:c1 r2:c2`) are the library's relay through a backup (ADR 0013).
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "instance_snapshot_commands.hpp"
#include "libinstance/cross_copy.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "petname.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

const std::vector<FlagSpec> copy_flags = {
    {"config", 'c', FlagKind::StringList, "Config key/value to apply to the new instance"},
    {"device", 'd', FlagKind::StringList, "New key/value to apply to a specific device"},
    {"ephemeral", 'e', FlagKind::Bool, "Ephemeral instance"},
    {"instance-only", 0, FlagKind::Bool, "Copy the instance without its snapshots"},
    {"mode", 0, FlagKind::String, "Transfer mode. One of pull (default), push or relay (ignored: always a relay)"},
    {"no-profiles", 0, FlagKind::Bool, "Create the instance with no profiles applied"},
    {"profile", 'p', FlagKind::StringList, "Profile to apply to the new instance"},
    {"refresh", 0, FlagKind::Bool, "Perform an incremental copy (not supported)"},
    {"stateless", 0, FlagKind::Bool, "Copy a stateful instance stateless"},
    {"storage", 's', FlagKind::String, "Storage pool name"},
    {"target-project", 0, FlagKind::String, "Copy to a project different from the source"},
};

std::pair<std::string, std::string> key_value(const std::string& kv, const char* what) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw UsageError(fmt::format("Bad key=value pair: {}", what == nullptr ? kv : what));
    return {kv.substr(0, eq), kv.substr(eq + 1)};
}

// -d NAME,key=value: the source's device (its own or a profile's) with the key changed, as lxc.
void apply_device_overrides(const api::Instance& source, const std::vector<std::string>& overrides, api::DeviceMap& devices) {
    for (const auto& spec : overrides) {
        auto comma = spec.find(',');
        if (comma == std::string::npos) throw UsageError(fmt::format("Bad syntax, expecting <device>,<key>=<value>: {}", spec));
        std::string name = spec.substr(0, comma);
        auto [key, value] = key_value(spec.substr(comma + 1), nullptr);
        if (!devices.count(name)) {
            auto it = source.expanded_devices.find(name);
            if (it == source.expanded_devices.end()) throw Error::invalid("device", fmt::format("Device doesn't exist: {}", name));
            devices[name] = it->second;
        }
        devices[name][key] = value;
    }
}

// The two ends of a copy or move: [<remote>:]<instance>; a destination without a name keeps the
// source's on another server.
struct Ends {
    RemoteRef source;
    RemoteRef target;
    bool between_servers() const { return source.remote != target.remote; }
};

Ends ends_of(Context& ctx, const ParsedArgs& args) {
    Ends out;
    out.source = instance_ref(ctx, args.positional[0]);
    out.target = args.positional.size() > 1 ? instance_ref(ctx, args.positional[1]) : RemoteRef{out.source.remote, ""};
    return out;
}

std::string remote_name(const std::string& remote) { return remote.empty() ? "local" : remote; }

// copy/move to another server: the library's relay (export, import), with lxc's flags.
int copy_between_servers(Context& ctx, const ParsedArgs& args, const Ends& ends, bool move) {
    if (instance_snapshot_ref(ends.source.name))
        throw Error(ErrorCode::NotSupported,
                    fmt::format("Copying a snapshot to another server is not supported: copy {}:{} to an instance on {} first",
                                remote_name(ends.source.remote), ends.source.name, remote_name(ends.source.remote)),
                    "source");
    if (instance_snapshot_ref(ends.target.name)) throw UsageError("The destination of a copy to another server is an instance name");
    Instance source = ctx.manager(ends.source.remote).instances().get(ctx.project(), ends.source.name);
    Manager& target = ctx.manager(ends.target.remote);
    CrossCopyOptions opts;
    opts.project = args.string_or("target-project", ctx.project());
    opts.pool = args.string_or("storage", "");
    opts.instance_only = args.flag("instance-only");
    opts.stateless = args.flag("stateless");
    if (!move) {
        opts.ephemeral = args.flag("ephemeral");
        opts.refresh = args.flag("refresh");
    }
    for (const auto& kv : args.list("config")) opts.config.insert(key_value(kv, kv.c_str()));
    if (args.flag("no-profiles")) opts.profiles = std::vector<std::string>{};
    if (auto profiles = args.list("profile"); !profiles.empty()) opts.profiles = profiles;
    // As a local copy (and lxc): the copy gets its own root disk on that pool.
    if (!opts.pool.empty()) opts.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", opts.pool}};
    apply_device_overrides(source.info(), args.list("device"), opts.devices);
    ProgressRenderer progress("Transferring instance: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] {
        return move ? move_instance_to_async(source, target, ends.target.name, opts)
                    : copy_instance_to_async(source, target, ends.target.name, opts);
    });
    progress.done("");
    return 0;
}

int copy(Context& ctx, const ParsedArgs& args) {
    Ends ends = ends_of(ctx, args);
    if (ends.between_servers()) return copy_between_servers(ctx, args, ends, false);
    if (args.flag("refresh")) throw Error(ErrorCode::NotSupported, "--refresh is not supported: copy to a new instance name", "refresh");
    Manager& manager = ctx.manager(ends.source.remote);
    std::string source = ends.source.name;
    // "c1/snap0": a new instance from the snapshot; -d overrides its devices, as lxc's do.
    auto snap = instance_snapshot_ref(source);
    Instance original = manager.instances().get(ctx.project(), snap ? snap->instance : source);
    api::InstancesPost post;
    post.name = !ends.target.name.empty() ? ends.target.name : random_instance_name();
    post.source.type = "copy";
    post.source.source = source;
    post.source.instance_only = args.flag("instance-only");
    post.ephemeral = args.flag("ephemeral");
    for (const auto& kv : args.list("config")) post.config.insert(key_value(kv, kv.c_str()));
    if (args.flag("no-profiles")) post.profiles = std::vector<std::string>{};
    if (auto profiles = args.list("profile"); !profiles.empty()) post.profiles = profiles;
    // As lxc: the copy gets its own root disk on that pool, over the profiles' one.
    if (auto pool = args.string("storage")) post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", *pool}};
    api::Instance from = original.info();
    if (snap) from.expanded_devices = original.get_snapshot(snap->snapshot).expanded_devices;
    apply_device_overrides(from, args.list("device"), post.devices);
    // --target-project: the copy is made there, from the source in the current project.
    std::string target_project = args.string_or("target-project", ctx.project());
    if (target_project != ctx.project()) post.source.project = ctx.project();
    ProgressRenderer progress("Transferring instance: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] { return manager.instances().create_async(target_project, post); });
    progress.done("");
    return 0;
}

// move --target-project: as lxc, a copy into the other project (snapshots included), then the
// source goes; the source must be stopped so that nothing changes between the two.
void move_to_project(Context& ctx, Manager& manager, Instance& instance, const std::string& target_project, const std::string& target) {
    if (instance.info().status != "Stopped")
        throw Error(ErrorCode::Busy, fmt::format("Instance \"{}\" must be stopped to move it to another project", instance.name()), "status");
    api::InstancesPost post;
    post.name = target.empty() ? instance.name() : target;
    post.source.type = "copy";
    post.source.source = instance.name();
    post.source.project = ctx.project();
    ProgressRenderer progress("Transferring instance: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] { return manager.instances().create_async(target_project, post); });
    progress.done("");
    instance.remove();
}

// move SRC DST renames; move SRC -s POOL moves the volume; both do both, rename first.
int move(Context& ctx, const ParsedArgs& args) {
    if (args.positional.size() > 1) {
        Ends ends = ends_of(ctx, args);
        if (ends.between_servers()) return copy_between_servers(ctx, args, ends, true);
    }
    for (const char* flag : {"config", "device", "profile"})
        if (!args.list(flag).empty())
            throw UsageError(fmt::format("--{} only applies to moves to another server", flag));
    for (const char* flag : {"no-profiles", "instance-only", "stateless"})
        if (args.flag(flag)) throw UsageError(fmt::format("--{} only applies to moves to another server", flag));
    if (auto snap = instance_snapshot_ref(args.positional[0])) {
        if (args.positional.size() < 2 || args.string("storage"))
            throw UsageError(fmt::format("A snapshot is only renamed: \"{}\" needs a new <instance>/<snapshot> name", args.positional[0]));
        rename_instance_snapshot(ctx, *snap, args.positional[1]);
        return 0;
    }
    Ends ends = ends_of(ctx, args);
    Instance instance = ctx.manager(ends.source.remote).instances().get(ctx.project(), ends.source.name);
    std::string target = ends.target.name;
    auto pool = args.string("storage");
    if (auto project = args.string("target-project"); project && *project != ctx.project()) {
        if (pool) throw UsageError("--storage and --target-project cannot be used together");
        move_to_project(ctx, ctx.manager(ends.source.remote), instance, *project, target);
        return 0;
    }
    if (target.empty() && !pool)
        throw UsageError("A destination name or a storage pool (--storage) is needed to move an instance");
    if (!target.empty() && target != instance.name()) instance.rename(target);
    if (pool) {
        ProgressRenderer progress("Transferring instance: ", ctx.quiet(), ctx.progress_bars());
        run_operation(ctx, progress, [&] { return instance.move_to_pool_async(*pool); });
        progress.done("");
    }
    return 0;
}

}  // namespace

std::vector<Command> copy_move_commands() {
    Command copy_cmd;
    copy_cmd.name = "copy";
    copy_cmd.aliases = {"cp"};
    copy_cmd.usage = "<source>[/<snapshot>] [<destination>]";
    copy_cmd.summary = "Copy instances within or in between servers";
    copy_cmd.description =
        "Copy instances within or in between servers\n\nOn the same storage pool the copy is a clone (a btrfs snapshot, or a "
        "new overlay layer over the same image on dir); on another pool (--storage) it is a whole copy of the stopped "
        "source. The copy keeps the source's config, devices and profiles, without the volatile keys identifying it.\n\n"
        "Between two servers (local: and remotes, or two remotes) the instance travels as a backup: exported by the "
        "source, imported by the target; a running instance is copied as its files are.";
    copy_cmd.examples = "inst copy c1 r1:c2\n    Copy c1 to the server r1.\n\ninst copy c1 c2\n\ninst copy c1 c3 -s fast -c limits.memory=256MiB\n\ninst copy c1 c4 -d root,size=2GiB\n\ninst copy c1/snap0 c5\n    A new instance from a snapshot.";
    copy_cmd.flags = copy_flags;
    copy_cmd.min_args = 1;
    copy_cmd.max_args = 2;
    copy_cmd.run = copy;

    Command move_cmd;
    move_cmd.name = "move";
    move_cmd.aliases = {"mv"};
    move_cmd.usage = "<instance>[/<snapshot>] [<new name>[/<snapshot>]]";
    move_cmd.summary = "Move instances within or in between servers";
    move_cmd.description = "Move instances within or in between servers\n\nA new name renames the stopped instance; "
                           "--storage moves its root volume to another pool (a whole copy there, then the old one goes).\n\n"
                           "To another server (r1:c1 r2:[name]) it is copied as a backup, then deleted once the copy exists; a "
                           "running instance must be stopped first, or moved with --stateless (stopped, moved, started there).";
    move_cmd.examples = "inst move r1:c1 r2:\n    Move c1 from the server r1 to r2.\n\ninst move c1 c2\n\ninst move c2 --storage fast\n\ninst move c2/snap0 c2/before-upgrade\n    Rename a snapshot.";
    move_cmd.flags = {{"config", 'c', FlagKind::StringList, "Config key/value to apply to the target instance"},
                      {"device", 'd', FlagKind::StringList, "New key/value to apply to a specific device"},
                      {"instance-only", 0, FlagKind::Bool, "Move the instance without its snapshots"},
                      {"mode", 0, FlagKind::String, "Transfer mode. One of pull (default), push or relay (ignored: always a relay)"},
                      {"no-profiles", 0, FlagKind::Bool, "Unset all profiles on the target instance"},
                      {"profile", 'p', FlagKind::StringList, "Profile to apply to the target instance"},
                      {"stateless", 0, FlagKind::Bool, "Copy a stateful instance stateless"},
                      {"storage", 's', FlagKind::String, "Storage pool name"},
                      {"target-project", 0, FlagKind::String, "Copy to a project different from the source"}};
    move_cmd.min_args = 1;
    move_cmd.max_args = 2;
    move_cmd.run = move;

    Command rename_cmd;
    rename_cmd.name = "rename";
    rename_cmd.usage = "<instance>[/<snapshot>] <instance>[/<snapshot>]";
    rename_cmd.summary = "Rename instances";
    rename_cmd.min_args = 2;
    rename_cmd.max_args = 2;
    rename_cmd.run = move;
    return {copy_cmd, move_cmd, rename_cmd};
}

}  // namespace li::cli
