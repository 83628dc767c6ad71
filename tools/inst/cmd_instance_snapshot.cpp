// snapshot and restore, and the "<instance>/<snapshot>" forms of delete, rename/move, config show
// and info: lxc 5.0.2's instance snapshots over Instance's snapshot calls.
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "context.hpp"
#include "humanize.hpp"
#include "instance_snapshot_commands.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

std::string strip_local(std::string name) {
    if (name.starts_with("local:")) name.erase(0, 6);
    return name;
}

// `[<remote>:]<instance>`: "r:c1" is c1 on the lxd remote r (snapshot refs keep the prefix on
// their instance part: "r:c1/s1").
Instance instance_named(Context& ctx, const std::string& name) {
    RemoteRef ref = instance_ref(ctx, name);
    return ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
}

// One snapshot operation waited for like the other instance actions: progress on a terminal, Ctrl-C.
void run_snapshot_operation(Context& ctx, const std::function<Operation()>& start) {
    ProgressRenderer progress("", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, start);
    progress.done("");
}

bool has_snapshot(Instance& instance, const std::string& name) {
    try {
        instance.get_snapshot(name);
        return true;
    } catch (const Error& e) {
        if (e.code() != ErrorCode::NotFound || e.key() != "snapshot") throw;
        return false;
    }
}

// snapshot <instance> [<name>], or lxc's "<instance>/<name>" form.
int run_snapshot(Context& ctx, const ParsedArgs& args) {
    std::string name = strip_local(args.positional[0]);
    api::InstanceSnapshotsPost post;
    if (args.positional.size() > 1) post.name = args.positional[1];
    if (auto ref = instance_snapshot_ref(name)) {
        if (!post.name.empty()) throw UsageError(fmt::format("Invalid instance name: {}", name));
        name = ref->instance;
        post.name = ref->snapshot;
    }
    post.stateful = args.flag("stateful");
    Instance instance = instance_named(ctx, name);
    if (args.flag("reuse") && !post.name.empty() && has_snapshot(instance, post.name))
        run_snapshot_operation(ctx, [&] { return instance.delete_snapshot_async(post.name); });
    run_snapshot_operation(ctx, [&] { return instance.snapshot_async(post); });
    // lxc sends a zero expiry ("never"); the library has no such value at creation, where an empty
    // expiry follows snapshots.expiry, so the expiry it got is cleared right after.
    if (args.flag("no-expiry")) {
        std::string taken = post.name.empty() ? instance.snapshots().back().name : post.name;
        if (!instance.get_snapshot(taken).expires_at.empty()) instance.update_snapshot(taken, api::InstanceSnapshotPut{});
    }
    return 0;
}

int run_restore(Context& ctx, const ParsedArgs& args) {
    std::string name = strip_local(args.positional[0]);
    const std::string& snapshot = args.positional[1];
    Instance instance = instance_named(ctx, name);
    // Snapshots here never hold a running state (no CRIU), so there is nothing stateful to restore.
    if (args.flag("stateful")) {
        instance.get_snapshot(snapshot);  // an unknown snapshot is reported as such first
        throw Error(ErrorCode::NotSupported,
                    fmt::format("Snapshot \"{}\" of instance \"{}\" has no running state to restore (stateful snapshots are not supported)",
                                snapshot, name),
                    "stateful");
    }
    run_snapshot_operation(ctx, [&] { return instance.restore_async(snapshot); });
    return 0;
}

// The snapshot as lxc's YAML shows it: api.InstanceSnapshot's fields in Go's declaration order
// (the embedded InstanceSnapshotPut first), the instance's own or its expanded config and devices.
std::string snapshot_yaml(const api::InstanceSnapshot& snapshot, bool expanded) {
    auto doc = nlohmann::ordered_json::parse(api::to_json(snapshot));
    nlohmann::ordered_json out;
    for (const char* key : {"expires_at", "architecture", "config", "created_at", "devices", "ephemeral", "expanded_config",
                            "expanded_devices", "last_used_at", "name", "profiles", "stateful", "size"})
        if (doc.contains(key)) out[key] = doc[key];
    if (expanded) {
        out["config"] = doc["expanded_config"];
        out["devices"] = doc["expanded_devices"];
    }
    return render_yaml(out.dump());
}

std::string info_time_cell(const std::string& rfc3339) {
    auto t = parse_rfc3339(rfc3339);
    return t ? format_info_time(*t) : std::string(" ");  // lxc's cell for an unset time
}

}  // namespace

std::optional<InstanceSnapshotRef> instance_snapshot_ref(const std::string& arg) {
    std::string name = strip_local(arg);
    auto slash = name.find('/');
    if (slash == std::string::npos) return std::nullopt;
    InstanceSnapshotRef ref{name.substr(0, slash), name.substr(slash + 1)};
    if (ref.instance.empty() || ref.snapshot.empty()) throw UsageError(fmt::format("Invalid snapshot name \"{}\"", arg));
    return ref;
}

void delete_instance_snapshot(Context& ctx, const InstanceSnapshotRef& ref) {
    Instance instance = instance_named(ctx, ref.instance);
    run_snapshot_operation(ctx, [&] { return instance.delete_snapshot_async(ref.snapshot); });
}

// lxc's order of checks: the parent first, then that the new name is a snapshot name at all.
void rename_instance_snapshot(Context& ctx, const InstanceSnapshotRef& from, const std::string& to_arg) {
    std::string to = strip_local(to_arg);
    auto slash = to.find('/');
    std::string parent = to.substr(0, slash);
    if (parent != from.instance)
        throw UsageError(fmt::format("Invalid new snapshot name \"{}\", parent must be the same as source", to_arg));
    if (slash == std::string::npos) throw UsageError(fmt::format("Invalid new snapshot name \"{}\"", to_arg));
    instance_named(ctx, from.instance).rename_snapshot(from.snapshot, to.substr(slash + 1));
}

std::string instance_snapshot_yaml(Context& ctx, const InstanceSnapshotRef& ref) {
    return snapshot_yaml(instance_named(ctx, ref.instance).get_snapshot(ref.snapshot), false);
}

void edit_instance_snapshot(Context& ctx, const InstanceSnapshotRef& ref, const std::string& yaml) {
    api::InstanceSnapshotPut put;
    try {
        YAML::Node doc = YAML::Load(yaml);
        if (doc && !doc.IsNull() && !doc.IsMap()) throw Error::invalid("yaml", "the instance snapshot YAML must be a map");
        if (doc && doc.IsMap())
            if (auto e = doc["expires_at"]; e && !e.IsNull()) put.expires_at = e.as<std::string>();
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid instance snapshot YAML: {}", e.what()));
    }
    if (put.expires_at.starts_with("0001-01-01")) put.expires_at.clear();  // what show prints for never
    instance_named(ctx, ref.instance).update_snapshot(ref.snapshot, put);
}

void show_instance_snapshot(Context& ctx, const InstanceSnapshotRef& ref, bool expanded) {
    std::fputs(snapshot_yaml(instance_named(ctx, ref.instance).get_snapshot(ref.snapshot), expanded).c_str(), stdout);
}

std::string snapshots_info_text(const std::vector<api::InstanceSnapshot>& snapshots) {
    if (snapshots.empty()) return {};
    std::vector<Row> rows;
    for (const auto& s : snapshots)
        rows.push_back({s.name, info_time_cell(s.created_at), info_time_cell(s.expires_at), s.stateful ? "YES" : "NO"});
    return "\nSnapshots:\n" + render_table({"NAME", "TAKEN AT", "EXPIRES AT", "STATEFUL"}, rows);
}

std::vector<Command> instance_snapshot_commands() {
    std::vector<Command> out;
    Command snapshot;
    snapshot.name = "snapshot";
    snapshot.usage = "[<remote>:]<instance> [<snapshot name>]";
    snapshot.summary = "Create instance snapshots";
    snapshot.description =
        "Create instance snapshots\n\nWithout a name the snapshot follows snapshots.pattern (snap0, snap1, ...).\n"
        "When --stateful is used, LXD checkpoints the running state; that needs CRIU and is not supported here.";
    snapshot.examples = "inst snapshot u1 snap0\n    Create a snapshot of \"u1\" called \"snap0\".";
    snapshot.flags = {{"no-expiry", 0, FlagKind::Bool, "Ignore any configured auto-expiry for the instance"},
                      {"reuse", 0, FlagKind::Bool, "If the snapshot name already exists, delete and create a new one"},
                      {"stateful", 0, FlagKind::Bool, "Whether or not to snapshot the instance's running state"}};
    snapshot.min_args = 1;
    snapshot.max_args = 2;
    snapshot.run = run_snapshot;
    out.push_back(std::move(snapshot));

    Command restore;
    restore.name = "restore";
    restore.usage = "[<remote>:]<instance> <snapshot>";
    restore.summary = "Restore instances from snapshots";
    restore.description = "Restore instances from snapshots\n\nIf --stateful is passed, then the running state will be restored too.";
    restore.examples = "inst snapshot u1 snap0\n    Create the snapshot.\n\ninst restore u1 snap0\n    Restore the snapshot.";
    restore.flags = {{"stateful", 0, FlagKind::Bool,
                      "Whether or not to restore the instance's running state from snapshot (if available)"}};
    restore.min_args = 2;
    restore.max_args = 2;
    restore.run = run_restore;
    out.push_back(std::move(restore));
    return out;
}

}  // namespace li::cli
