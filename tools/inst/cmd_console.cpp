// console: attach this terminal to an instance's console (lxc console), or print its log.
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

constexpr char kEscape = 0x01;  // ctrl+a, lxc's escape key; ctrl+a q detaches

std::atomic<bool> window_changed{false};

void on_winch(int) { window_changed = true; }

// Puts a terminal in raw mode (keys go to the console as typed) and restores it on scope exit.
class RawMode {
public:
    explicit RawMode(int fd) : fd_(fd) {
        if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        if (::tcsetattr(fd, TCSAFLUSH, &raw) == 0) active_ = true;
    }
    ~RawMode() {
        if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

bool write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

void follow_window_size(Console& console) {
    winsize ws{};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) console.resize(ws.ws_col, ws.ws_row);
}

// Copies the terminal to the console and back until ctrl+a q, the end of input, or the console
// going away.
void bridge(Console& console) {
    bool escaped = false;
    bool stdin_open = true;
    char buf[4096];
    for (;;) {
        if (window_changed.exchange(false)) follow_window_size(console);
        pollfd fds[2] = {{console.fd(), POLLIN, 0}, {STDIN_FILENO, static_cast<short>(stdin_open ? POLLIN : 0), 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno("waiting for the console", errno);
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(console.fd(), buf, sizeof buf);
            if (n <= 0) return;
            if (!write_all(STDOUT_FILENO, buf, static_cast<size_t>(n))) return;
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0) {
                // Input ended (a pipe): keep showing the console until it is detached elsewhere.
                stdin_open = false;
                continue;
            }
            std::string out;
            for (ssize_t i = 0; i < n; i++) {
                char ch = buf[i];
                if (escaped) {
                    escaped = false;
                    if (ch == 'q') {
                        write_all(console.fd(), out.data(), out.size());
                        return;
                    }
                    if (ch != kEscape) out += kEscape;  // not a command: both keys go through
                    out += ch;
                } else if (ch == kEscape) {
                    escaped = true;
                } else {
                    out += ch;
                }
            }
            if (!write_all(console.fd(), out.data(), out.size())) return;
        }
    }
}

int run_console(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);  // [<remote>:]<instance>
    std::string type = args.string_or("type", "console");
    if (type == "vga") throw Error(ErrorCode::NotSupported, "the vga console is only available for virtual machines", "type");
    if (type != "console") throw UsageError(fmt::format("Unknown console type \"{}\"", type));

    Instance instance = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
    if (args.flag("show-log")) {
        std::string log = instance.console_log();
        std::fwrite(log.data(), 1, log.size(), stdout);
        return 0;
    }
    Console console = instance.console();
    follow_window_size(console);
    std::fputs("To detach from the console, press: <ctrl>+a q\n\r", stdout);
    std::fflush(stdout);
    struct sigaction sa {};
    sa.sa_handler = on_winch;
    ::sigaction(SIGWINCH, &sa, nullptr);
    {
        RawMode raw(STDIN_FILENO);
        bridge(console);
    }
    console.detach();
    std::fputs("\n", stdout);
    return 0;
}

}  // namespace

Command console_command() {
    Command cmd;
    cmd.name = "console";
    cmd.usage = "[<remote>:]<instance>";
    cmd.summary = "Attach to instance consoles";
    cmd.description =
        "Attach to instance consoles\n\n"
        "This command allows you to interact with the boot console of an instance\n"
        "as well as retrieve past log entries from it.\n\n"
        "To detach from the console, press <ctrl>+a q.";
    cmd.flags = {
        {"show-log", 0, FlagKind::Bool, "Retrieve the instance's console log"},
        {"type", 't', FlagKind::String, "Type of connection to establish: 'console' for serial console, 'vga' for SPICE graphical output (default \"console\")"},
    };
    cmd.min_args = 1;
    cmd.max_args = 1;
    cmd.run = run_console;
    return cmd;
}

}  // namespace li::cli
