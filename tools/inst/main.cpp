// inst: a command line client for libinstance with the command syntax of LXD's `lxc`.
// A thin consumer of the public C++ API: parse, call, print.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "context.hpp"
#include "current_project.hpp"

#ifndef LI_INST_VERSION
#define LI_INST_VERSION "unknown"
#endif

namespace {

using namespace li::cli;

int fail(const char* message) {
    std::fflush(stdout);
    std::fprintf(stderr, "Error: %s\n", message);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        Invocation inv = parse(command_tree(), args);
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
        // As lxc: --project for this command only, else the project last switched to on the
        // server the command addresses (Context::project()).
        opts.project = inv.args.string_or("project", "");
        opts.positional = addressing_args(inv.args);
        opts.quiet = inv.args.flag("quiet");
        Context ctx(opts);
        int status = inv.command().run(ctx, inv.args);
        std::fflush(stdout);
        return status;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
