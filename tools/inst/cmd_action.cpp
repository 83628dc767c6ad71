// start, stop, restart and delete: the lifecycle actions on one or more instances.
#include <chrono>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "instance_snapshot_commands.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

std::vector<std::string> targets(const ParsedArgs& args) { return args.positional; }

StopOptions stop_options(const ParsedArgs& args) {
    StopOptions opts;
    opts.force = args.flag("force");
    // lxc's default of -1 means "the server's choice"; here that is the library's default.
    if (auto t = args.integer("timeout"); t && *t >= 0) opts.timeout = std::chrono::seconds(*t);
    else if (t && *t != -1) throw UsageError(fmt::format("invalid argument \"{}\" for \"--timeout\" flag: must be -1 or more", *t));
    return opts;
}

// Runs one instance action as an operation: progress on a terminal, Ctrl-C handled like lxc.
void act(Context& ctx, const std::string& arg, const std::function<Operation(Instance&)>& start) {
    RemoteRef ref = instance_ref(ctx, arg);
    Instance instance = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
    ProgressRenderer progress("", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] { return start(instance); });
    progress.done("");
}

Command action(std::string name, std::string summary, RunFn run) {
    Command cmd;
    cmd.name = std::move(name);
    cmd.usage = "[<remote>:]<instance> [[<remote>:]<instance>...]";
    cmd.summary = std::move(summary);
    cmd.min_args = 1;
    cmd.run = std::move(run);
    return cmd;
}

const FlagSpec force_stop{"force", 'f', FlagKind::Bool, "Force the instance to shutdown"};
const FlagSpec stop_timeout{"timeout", 0, FlagKind::Int, "Time to wait for the instance before killing it (default -1)"};

}  // namespace

std::vector<Command> action_commands() {
    std::vector<Command> out;

    out.push_back(action("start", "Start instances", [](Context& ctx, const ParsedArgs& args) {
        return for_each_target(targets(args), [&](const std::string& n) { act(ctx, n, [](Instance& i) { return i.start_async(); }); });
    }));

    Command stop = action("stop", "Stop instances", [](Context& ctx, const ParsedArgs& args) {
        StopOptions opts = stop_options(args);
        return for_each_target(targets(args), [&](const std::string& n) { act(ctx, n, [&](Instance& i) { return i.stop_async(opts); }); });
    });
    stop.flags = {force_stop, stop_timeout};
    out.push_back(std::move(stop));

    Command restart = action("restart", "Restart instances", [](Context& ctx, const ParsedArgs& args) {
        StopOptions opts = stop_options(args);
        return for_each_target(targets(args), [&](const std::string& n) { act(ctx, n, [&](Instance& i) { return i.restart_async(opts); }); });
    });
    restart.flags = {force_stop, stop_timeout};
    out.push_back(std::move(restart));

    Command del = action("delete", "Delete instances", [](Context& ctx, const ParsedArgs& args) {
        DeleteOptions opts;
        opts.force = args.flag("force");
        return for_each_target(targets(args), [&](const std::string& n) {
            if (n.find('/') != std::string::npos) {
                // Snapshots are local only so far.
                auto snap = instance_snapshot_ref(n.starts_with("local:") ? n.substr(6) : n);
                if (snap) return delete_instance_snapshot(ctx, *snap);
            }
            act(ctx, n, [&](Instance& i) { return i.remove_async(opts); });
        });
    });
    del.aliases = {"rm"};
    del.usage = "[<remote>:]<instance>[/<snapshot>] [[<remote>:]<instance>[/<snapshot>]...]";
    del.summary = "Delete instances and snapshots";
    del.flags = {{"force", 'f', FlagKind::Bool, "Force the removal of running instances"}};
    out.push_back(std::move(del));

    return out;
}

}  // namespace li::cli
