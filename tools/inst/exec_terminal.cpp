// `inst exec` interactive mode. Instance::exec blocks until the command exits, so it runs on a
// thread while this one polls the local terminal, the instance terminal's master side and a
// self-pipe that signal handlers and the exec thread write to (no flag races with poll()). A
// non-interactive exec only forwards this process's signals to the command, as lxc does.

#include "exec_terminal.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <functional>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li::cli {

namespace {

// Self-pipe: handlers write the signal number, the exec thread 'S' (started, locally), 'R' (the
// command can be signalled) and 'D' (done).
int notify_fds[2] = {-1, -1};

// The local terminal's saved settings, for the signal path (tcsetattr is async-signal-safe).
termios saved_termios{};
volatile sig_atomic_t raw_active = 0;

void notify(char c) {
    int saved = errno;
    (void)!::write(notify_fds[1], &c, 1);
    errno = saved;
}

void on_signal(int sig) { notify(static_cast<char>(sig)); }

constexpr int kForwarded[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2};

// Puts stdin in raw mode so keys (^C, ^D, arrows) reach the command's terminal as typed.
class RawMode {
public:
    RawMode() {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_termios) != 0) return;
        termios raw = saved_termios;
        ::cfmakeraw(&raw);
        if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) raw_active = 1;
    }
    ~RawMode() { restore(); }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    static void restore() {
        if (raw_active) {
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
            raw_active = 0;
        }
    }
};

// A fatal signal we do not forward (SIGSEGV, SIGABRT...) still gets the terminal back first.
void on_fatal(int sig) {
    RawMode::restore();
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

// Installs the handlers for the session and puts the previous ones back at the end.
class SignalScope {
public:
    // Without a terminal SIGPIPE keeps its disposition: the command would inherit an ignored one.
    explicit SignalScope(bool terminal) : pipe_set_(terminal) {
        if (::pipe2(notify_fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Error::from_errno("pipe", errno);
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        ::sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < std::size(kForwarded); i++) ::sigaction(kForwarded[i], &sa, &old_[i]);
        ::sigaction(SIGWINCH, &sa, &old_winch_);
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        if (pipe_set_) ::sigaction(SIGPIPE, &ign, &old_pipe_);  // a closed stdout shows up as EPIPE instead
        struct sigaction fatal {};
        fatal.sa_handler = on_fatal;
        for (size_t i = 0; i < std::size(kFatal); i++) ::sigaction(kFatal[i], &fatal, &old_fatal_[i]);
    }
    ~SignalScope() {
        for (size_t i = 0; i < std::size(kForwarded); i++) ::sigaction(kForwarded[i], &old_[i], nullptr);
        for (size_t i = 0; i < std::size(kFatal); i++) ::sigaction(kFatal[i], &old_fatal_[i], nullptr);
        ::sigaction(SIGWINCH, &old_winch_, nullptr);
        if (pipe_set_) ::sigaction(SIGPIPE, &old_pipe_, nullptr);
        ::close(notify_fds[0]);
        ::close(notify_fds[1]);
        notify_fds[0] = notify_fds[1] = -1;
    }
    SignalScope(const SignalScope&) = delete;
    SignalScope& operator=(const SignalScope&) = delete;

private:
    static constexpr int kFatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    struct sigaction old_[std::size(kForwarded)] {};
    struct sigaction old_fatal_[std::size(kFatal)] {};
    struct sigaction old_winch_ {}, old_pipe_ {};
    bool pipe_set_;
};

ConsoleOptions local_size() {
    winsize ws{};
    for (int fd : {STDOUT_FILENO, STDIN_FILENO})
        if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) return {ws.ws_col, ws.ws_row};
    return {};
}

bool write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
            continue;
        }
        if (n <= 0) return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

// After the command exited, how long output of children still holding the terminal is shown.
constexpr int kDrainMs = 200;

}  // namespace

int exec_on_terminal(Instance& instance, const std::vector<std::string>& argv, ExecOptions opts, bool read_stdin) {
    Terminal terminal = instance.open_terminal(local_size());
    int master = terminal.master();
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    opts.stdin_fd = opts.stdout_fd = opts.stderr_fd = terminal.slave();
    opts.stdin_data.reset();
    opts.terminal = true;

    SignalScope signals(true);
    RawMode raw;
    opts.on_started = [](int) { notify('S'); };  // local only: the slave can be let go
    std::function<void(int)> send_signal;  // the command's, written before 'R' is sent
    opts.on_signal_ready = [&send_signal](std::function<void(int)> send) {
        send_signal = std::move(send);
        notify('R');
    };
    int exit_code = -1;
    std::exception_ptr failure;
    std::jthread runner([&] {  // joins even if the loop throws
        try {
            exit_code = instance.exec(argv, opts).exit_code;
        } catch (...) {
            failure = std::current_exception();
        }
        notify('D');
    });

    std::string input;  // read locally, not yet accepted by the terminal
    std::vector<int> pending_signals;
    bool signalable = false, exited = false, master_open = true, in_open = read_stdin, out_ok = true;
    char buf[4096];
    for (;;) {
        pollfd fds[3] = {{notify_fds[0], POLLIN, 0}, {-1, 0, 0}, {-1, 0, 0}};
        if (master_open) fds[1] = {master, static_cast<short>(POLLIN | (input.empty() ? 0 : POLLOUT)), 0};
        if (in_open && input.empty()) fds[2] = {STDIN_FILENO, POLLIN, 0};
        int n = ::poll(fds, 3, exited ? kDrainMs : -1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (fds[0].revents & POLLIN) {
            char events[64];
            ssize_t got = ::read(notify_fds[0], events, sizeof events);
            for (ssize_t i = 0; i < got; i++) {
                char c = events[i];
                if (c == 'S') {
                    terminal.release_slave();  // reading the master now ends with the command
                } else if (c == 'R') {
                    signalable = true;
                } else if (c == 'D') {
                    exited = true;
                } else if (c == SIGWINCH) {
                    auto size = local_size();
                    if (size.width > 0) terminal.resize(size.width, size.height);
                } else {
                    pending_signals.push_back(c);
                }
            }
            if (signalable && !exited) {
                for (int sig : pending_signals) send_signal(sig);
                pending_signals.clear();
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = ::read(master, buf, sizeof buf);
            if (got > 0) {
                if (out_ok) out_ok = write_all(STDOUT_FILENO, buf, static_cast<size_t>(got));
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                master_open = false;  // EIO: the command and its children closed the terminal
            }
        }
        if (!input.empty() && (fds[1].revents & POLLOUT)) {
            ssize_t put = ::write(master, input.data(), input.size());
            if (put > 0) input.erase(0, static_cast<size_t>(put));
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
            if (got > 0) {
                input.append(buf, static_cast<size_t>(got));
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                in_open = false;  // a terminal has no end: the command decides when to stop
            }
        }
        if (exited && !master_open) break;
    }
    runner.join();
    if (failure) std::rethrow_exception(failure);
    return exit_code;
}

int exec_forwarding_signals(Instance& instance, const std::vector<std::string>& argv, ExecOptions opts) {
    SignalScope signals(false);
    std::function<void(int)> send_signal;  // written before 'R' is sent
    opts.on_signal_ready = [&send_signal](std::function<void(int)> send) {
        send_signal = std::move(send);
        notify('R');
    };
    int exit_code = -1;
    std::exception_ptr failure;
    std::jthread runner([&] {
        try {
            exit_code = instance.exec(argv, opts).exit_code;
        } catch (...) {
            failure = std::current_exception();
        }
        notify('D');
    });
    std::vector<int> pending_signals;  // come before the command runs: sent once it does
    bool signalable = false, exited = false;
    while (!exited) {
        pollfd fd{notify_fds[0], POLLIN, 0};
        int n = ::poll(&fd, 1, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        char events[64];
        ssize_t got = ::read(notify_fds[0], events, sizeof events);
        for (ssize_t i = 0; i < got; i++) {
            char c = events[i];
            if (c == 'R') signalable = true;
            else if (c == 'D') exited = true;
            else if (c != SIGWINCH && c != 'S') pending_signals.push_back(c);  // no terminal to size
        }
        if (signalable && !exited) {
            for (int sig : pending_signals) send_signal(sig);
            pending_signals.clear();
        }
    }
    runner.join();
    if (failure) std::rethrow_exception(failure);
    return exit_code;
}

}  // namespace li::cli
