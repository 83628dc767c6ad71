// inst: a command line client for libinstance with the command syntax of LXD's `lxc`.
// A thin consumer of the public C++ API: parse, call, print.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "context.hpp"

#ifndef LI_INST_VERSION
#define LI_INST_VERSION "unknown"
#endif

namespace {

using namespace li::cli;

Command root_command() {
    Command root;
    root.name = "inst";
    root.summary = "Command line client for libinstance";
    root.description =
        "Command line client for libinstance\n\n"
        "Manages the containers and images of a libinstance state directory directly, with no daemon,\n"
        "using the command syntax of LXD's lxc client. The state directory is --state-dir, else\n"
        "$LIBINSTANCE_DIR, else the library default; only one process may use it at a time.";
    for (auto& c : create_commands()) root.children.push_back(std::move(c));
    for (auto& c : action_commands()) root.children.push_back(std::move(c));
    root.children.push_back(list_command());
    root.children.push_back(exec_command());
    root.children.push_back(info_command());
    root.children.push_back(image_command());
    std::sort(root.children.begin(), root.children.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return root;
}

int fail(const char* message) {
    std::fflush(stdout);
    std::fprintf(stderr, "Error: %s\n", message);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    Command root = root_command();
    try {
        Invocation inv = parse(root, args);
        if (inv.version) {
            std::puts(LI_INST_VERSION);
            return 0;
        }
        if (inv.help || !inv.command().run) {
            print_help(inv);
            return 0;
        }
        if (check_args(inv)) return 0;

        GlobalOptions opts;
        opts.state_dir = inv.args.string_or("state-dir", "");
        opts.project = inv.args.string_or("project", "default");
        if (opts.project.empty()) opts.project = "default";
        opts.quiet = inv.args.flag("quiet");
        Context ctx(opts);
        int status = inv.command().run(ctx, inv.args);
        std::fflush(stdout);
        return status;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
