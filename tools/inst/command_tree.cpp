// The command tree of `inst`, and running a command line within an existing run (monitor).
#include <algorithm>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"

namespace li::cli {

namespace {

Command build_tree() {
    Command root;
    root.name = "inst";
    root.summary = "Command line client for libinstance";
    root.description =
        "Command line client for libinstance\n\n"
        "Manages the containers and images of a libinstance state directory directly, with no daemon,\n"
        "using the command syntax of LXD's lxc client. The state directory is --state-dir, else\n"
        "$LIBINSTANCE_DIR, else the library default; only one process may use it at a time.\n"
        "Commands work in one project: --project, else the one \"inst project switch\" chose for\n"
        "that state directory, else \"default\".\n\n"
        "Long work shows its progress on a terminal (not with --quiet). Ctrl-C cancels work that\n"
        "can be undone (creating an instance, building or importing an image), leaving nothing\n"
        "half-made; other work is finished first unless Ctrl-C is pressed three times.";
    for (auto& c : create_commands()) root.children.push_back(std::move(c));
    for (auto& c : action_commands()) root.children.push_back(std::move(c));
    for (auto& c : copy_move_commands()) root.children.push_back(std::move(c));
    for (auto& c : instance_snapshot_commands()) root.children.push_back(std::move(c));
    for (auto& c : backup_commands()) root.children.push_back(std::move(c));
    root.children.push_back(list_command());
    root.children.push_back(exec_command());
    root.children.push_back(file_command());
    root.children.push_back(info_command());
    root.children.push_back(console_command());
    root.children.push_back(image_command());
    root.children.push_back(publish_command());
    root.children.push_back(operation_command());
    root.children.push_back(monitor_command());
    root.children.push_back(remote_command());
    {
        Command storage = storage_command();
        storage.children.push_back(storage_volume_command());
        root.children.push_back(std::move(storage));
    }
    root.children.push_back(profile_command());
    root.children.push_back(network_command());
    root.children.push_back(project_command());
    root.children.push_back(config_command());
    root.children.push_back(admin_command());
    std::sort(root.children.begin(), root.children.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return root;
}

}  // namespace

const Command& command_tree() {
    static const Command root = build_tree();
    return root;
}

int run_nested(Context& outer, const std::vector<std::string>& argv) {
    Invocation inv = parse(command_tree(), argv);
    if (inv.help || inv.version || !inv.command().run) {
        print_help(inv);
        return 0;
    }
    if (check_args(inv)) return 0;
    // One process holds one state directory, the one the outer command opened.
    if (auto dir = inv.args.string("state-dir"); dir && *dir != outer.options().state_dir)
        throw UsageError("--state-dir must come before the command that runs the others");
    GlobalOptions opts = outer.options();
    if (auto project = inv.args.string("project"); project && !project->empty()) opts.project = *project;
    opts.positional = addressing_args(inv.args);
    opts.quiet = opts.quiet || inv.args.flag("quiet");
    opts.progress_bars = false;
    Context inner(opts, outer.shared_manager());
    return inv.command().run(inner, inv.args);
}

}  // namespace li::cli
