// monitor: print the library's events as they happen, like `lxc monitor`.
#include <atomic>
#include <cstdio>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

#include "commands.hpp"
#include "context.hpp"
#include "event_format.hpp"
#include "interrupt.hpp"
#include "libinstance/event.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

/// Prints each event on stdout, whole, from the subscription's thread.
class EventPrinter {
public:
    EventPrinter(EventFormat format, bool colour) : format_(format), colour_(colour) {}

    void print(const std::string& event_json) {
        std::string text;
        try {
            text = render_event(format_, event_json, colour_);
        } catch (const std::exception& e) {
            text = fmt::format("Error: unreadable event ({}): {}\n", e.what(), event_json);
        }
        std::lock_guard lock(mutex_);
        std::fputs(text.c_str(), stdout);
        std::fflush(stdout);
        ++printed_;
    }

    uint64_t printed() const { return printed_; }

private:
    EventFormat format_;
    bool colour_;
    std::mutex mutex_;
    std::atomic<uint64_t> printed_{0};
};

const std::set<std::string> event_types = {"lifecycle", "operation", "logging"};
const std::set<std::string> log_levels = {"debug", "info", "warn", "error"};

EventFilter filter_of(Context& ctx, const ParsedArgs& args) {
    EventFilter filter;
    for (const auto& t : args.list("type")) {
        if (!event_types.count(t)) throw UsageError(fmt::format("Invalid type \"{}\" (lifecycle, operation or logging)", t));
        filter.types.insert(t);
    }
    filter.project = ctx.project();
    filter.all_projects = args.flag("all-projects");
    if (auto level = args.string("loglevel")) {
        if (!log_levels.count(*level))
            throw UsageError(fmt::format("Invalid log level \"{}\" (debug, info, warn or error)", *level));
        filter.log_level = *level;
    }
    return filter;
}

// The subscription delivers on its own thread; give it until it has been idle for a moment,
// so that the last events of a command run under monitor are not lost.
void drain(const EventPrinter& printer) {
    constexpr auto idle = std::chrono::milliseconds(200);
    uint64_t last = printer.printed();
    for (int i = 0; i < 25; ++i) {
        std::this_thread::sleep_for(idle);
        uint64_t now = printer.printed();
        if (now == last) return;
        last = now;
    }
}

int run_monitor(Context& ctx, const ParsedArgs& args) {
    std::string format_name = args.flag("pretty") ? "pretty" : args.string_or("format", "yaml");
    EventFormat format = parse_event_format(format_name);
    size_t before = args.saw_dash_dash ? args.dash_dash_at : args.positional.size();
    if (before > 1) throw UsageError("Invalid number of arguments");
    // [<remote>:]: the default remote without one, as lxc's.
    std::string remote = ctx.default_remote();
    if (before == 1) {
        RemoteRef ref = parse_remote_ref(ctx, args.positional[0]);
        if (!ref.name.empty())
            throw UsageError(fmt::format("\"{}\" is not a remote (monitor takes [<remote>:])", args.positional[0]));
        remote = ref.remote;
    }
    std::vector<std::string> command(args.positional.begin() + static_cast<long>(before), args.positional.end());
    if (args.saw_dash_dash && command.empty()) throw UsageError("Missing command after \"--\"");

    EventFilter filter = filter_of(ctx, args);
    auto printer = std::make_shared<EventPrinter>(format, ::isatty(STDOUT_FILENO) != 0);
    auto subscription =
        ctx.manager(remote).events().subscribe(filter, [printer](const std::string& event) { printer->print(event); });

    int status = 0;
    if (command.empty()) {
        InterruptGuard guard;  // Ctrl-C ends monitoring cleanly
        int start = InterruptGuard::count();
        while (InterruptGuard::count() == start) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } else {
        try {
            status = run_nested(ctx, command);
        } catch (...) {
            drain(*printer);
            throw;
        }
        drain(*printer);
    }
    subscription->unsubscribe();
    if (auto dropped = subscription->dropped(); dropped > 0) {
        std::fflush(stdout);
        std::fprintf(stderr, "Warning: %llu events were dropped (printing could not keep up)\n",
                     static_cast<unsigned long long>(dropped));
    }
    return status;
}

}  // namespace

Command monitor_command() {
    Command cmd;
    cmd.name = "monitor";
    cmd.usage = "[<remote>:] [-- <inst command> [<args>...]]";
    cmd.summary = "Monitor the events of the library";
    cmd.description =
        "Monitor the events of the library\n\n"
        "By default the monitor will listen to all message types.\n\n"
        "There is no daemon: events are those of this inst process only, and while it runs it\n"
        "holds the state directory, so other inst processes cannot use it. On its own, monitor\n"
        "therefore shows little; give it an inst command after \"--\" to run that command inside\n"
        "the monitor and watch its events (monitoring then ends with the command, whose exit\n"
        "status becomes monitor's). Without a command it runs until Ctrl-C.";
    cmd.examples =
        "inst monitor --type=lifecycle -- launch busybox c1\n"
        "    Launch c1 and show its lifecycle events.\n\n"
        "inst monitor --format=json -- image build busybox\n"
        "    Show the events of an image build as JSON lines.\n\n"
        "inst monitor --pretty --type=logging --loglevel=info -- start c1\n"
        "    Show a pretty log of messages with info level or higher.";
    cmd.flags = {
        {"all-projects", 0, FlagKind::Bool, "Show events from all projects"},
        {"format", 'f', FlagKind::String, "Format (json|pretty|yaml) (default \"yaml\")"},
        {"loglevel", 0, FlagKind::String, "Minimum level for log messages: debug, info, warn or error (default \"info\")"},
        {"pretty", 0, FlagKind::Bool, "Pretty rendering (short for --format=pretty)"},
        {"type", 0, FlagKind::StringList, "Event type to listen for: lifecycle, operation or logging (repeatable)"},
    };
    cmd.run = run_monitor;
    return cmd;
}

}  // namespace li::cli
