// exec: run a command inside an instance, on a terminal of the instance (interactive) or with this
// process's stdio, and exit with its status.
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fmt/format.h>
#include <limits>
#include <unistd.h>

#include "commands.hpp"
#include "context.hpp"
#include "exec_terminal.hpp"
#include "libinstance/error.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

uint32_t id_flag(const ParsedArgs& args, const std::string& name) {
    int64_t v = args.integer(name).value_or(0);
    if (v < 0 || v > std::numeric_limits<uint32_t>::max())
        throw UsageError(fmt::format("invalid argument \"{}\" for \"--{}\" flag: out of range", v, name));
    return static_cast<uint32_t>(v);
}

int run_exec(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    // Everything after the instance name is the command, whether or not `--` separated them.
    RemoteRef ref = instance_ref(ctx, pos[0]);  // [<remote>:]<instance>, as lxc takes it
    std::vector<std::string> argv(pos.begin() + 1, pos.end());

    ExecOptions opts;
    for (const auto& e : args.list("env")) {
        if (e.find('=') == std::string::npos) throw UsageError(fmt::format("Bad key=value pair: {}", e));
        opts.env.push_back(e);
    }
    opts.cwd = args.string_or("cwd", "");
    opts.uid = id_flag(args, "user");
    opts.gid = id_flag(args, "group");

    // lxc 5.0's rules: a terminal when stdin and stdout both are one, unless forced either way.
    std::string mode = args.string_or("mode", "auto");
    if (mode != "auto" && mode != "interactive" && mode != "non-interactive")
        throw UsageError(fmt::format("Invalid mode \"{}\" (auto, interactive or non-interactive)", mode));
    bool force_on = args.flag("force-interactive"), force_off = args.flag("force-noninteractive");
    if (force_on && force_off) throw UsageError("You can't pass -t and -T at the same time");
    if (mode != "auto" && (force_on || force_off))
        throw UsageError("You can't pass -t or -T at the same time as --mode");
    bool interactive = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    if (mode == "interactive" || force_on) interactive = true;
    if (mode == "non-interactive" || force_off) interactive = false;

    if (interactive) {
        // The local TERM goes along (as lxc does) unless --env set one, so full-screen programs work.
        const char* term = std::getenv("TERM");
        bool has_term = false;
        for (const auto& e : opts.env) has_term = has_term || e.starts_with("TERM=");
        if (term != nullptr && !has_term) opts.env.push_back(std::string("TERM=") + term);
        std::fflush(stdout);
        Instance instance = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
        return exec_on_terminal(instance, argv, opts, !args.flag("disable-stdin"));
    }

    // The command reads and writes our own stdio, so pipes, files and terminals all just work.
    int devnull = -1;
    opts.stdin_fd = STDIN_FILENO;
    if (args.flag("disable-stdin")) {
        devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0) throw Error::from_errno("opening /dev/null", errno);
        opts.stdin_fd = devnull;
    }
    opts.stdout_fd = STDOUT_FILENO;
    opts.stderr_fd = STDERR_FILENO;
    std::fflush(stdout);

    Instance instance = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
    int exit_code = -1;
    try {
        exit_code = exec_forwarding_signals(instance, argv, opts);
    } catch (...) {
        if (devnull >= 0) ::close(devnull);
        throw;
    }
    if (devnull >= 0) ::close(devnull);
    return exit_code;
}

}  // namespace

Command exec_command() {
    Command cmd;
    cmd.name = "exec";
    cmd.usage = "[<remote>:]<instance> [flags] [--] <command line>";
    cmd.summary = "Execute commands in instances";
    cmd.description =
        "Execute commands in instances\n\n"
        "The command is executed directly using exec, so there is no shell and\n"
        "shell patterns (variables, file redirects, ...) won't be understood.\n"
        "If you need a shell environment you need to execute the shell\n"
        "executable, passing the shell commands as arguments, for example:\n\n"
        "  inst exec <instance> -- sh -c \"cd /tmp && pwd\"\n\n"
        "Mode defaults to non-interactive, interactive mode is selected if both stdin\n"
        "AND stdout are terminals (stderr is ignored). Interactive mode runs the command\n"
        "on a terminal inside the instance, sized like this one; otherwise the command's\n"
        "standard input, output and error are those of inst itself.\n"
        "The command's exit status becomes inst's exit status.";
    cmd.flags = {
        {"cwd", 0, FlagKind::String, "Directory to run the command in (default /root)"},
        {"disable-stdin", 'n', FlagKind::Bool, "Disable stdin (reads from /dev/null)"},
        {"env", 0, FlagKind::StringList, "Environment variable to set (e.g. HOME=/home/foo)"},
        {"force-interactive", 't', FlagKind::Bool, "Force pseudo-terminal allocation"},
        {"force-noninteractive", 'T', FlagKind::Bool, "Disable pseudo-terminal allocation"},
        {"group", 0, FlagKind::Int, "Group ID to run the command as (default 0)"},
        {"mode", 0, FlagKind::String, "Override the terminal mode (auto, interactive or non-interactive) (default \"auto\")"},
        {"user", 0, FlagKind::Int, "User ID to run the command as (default 0)"},
    };
    cmd.min_args = 2;
    cmd.run = run_exec;
    return cmd;
}

}  // namespace li::cli
