// The copy loop of li_instance_exec_terminal: exec blocks until the command exits, so it runs on
// its own thread while this one moves bytes between the caller and the terminal's master side.

#include "terminal_pump.hpp"

#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace li::capi {

namespace {

// How long to keep reading after the command exited while something it started (a background
// child) still holds the terminal open: LXD's exec also ends with the command, not its children.
constexpr int kDrainMs = 200;

class Pipe {
public:
    Pipe() {
        if (::pipe2(fds_, O_CLOEXEC) != 0) throw Error::from_errno("pipe", errno);
    }
    ~Pipe() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    int read_end() const { return fds_[0]; }
    void note(char c) const { (void)!::write(fds_[1], &c, 1); }

private:
    int fds_[2] = {-1, -1};
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

}  // namespace

TerminalRun run_on_terminal(Instance& instance, const std::vector<std::string>& argv, ExecOptions opts,
                            const ConsoleOptions& size, std::string input, int in_fd, int out_fd) {
    Terminal terminal = instance.open_terminal(size);
    int master = terminal.master();
    // Non-blocking so a command that does not read cannot stall the loop on a full input queue.
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    opts.stdin_fd = opts.stdout_fd = opts.stderr_fd = terminal.slave();
    opts.stdin_data.reset();
    opts.terminal = true;

    // The exec thread tells this one 's' (started: our copy of the slave may go, so reading the
    // master ends with the command) and 'd' (done) through a pipe the loop polls.
    Pipe events;
    opts.on_started = [&events](int) { events.note('s'); };
    TerminalRun run;
    std::exception_ptr failure;
    std::jthread runner([&] {  // joins even if the loop throws
        try {
            run.exit_code = instance.exec(argv, opts).exit_code;
        } catch (...) {
            failure = std::current_exception();
        }
        events.note('d');
    });

    bool exited = false, master_open = true, in_open = in_fd >= 0, out_ok = true;
    char buf[4096];
    for (;;) {
        pollfd fds[3] = {{events.read_end(), POLLIN, 0}, {-1, 0, 0}, {-1, 0, 0}};
        if (master_open) fds[1] = {master, static_cast<short>(POLLIN | (input.empty() ? 0 : POLLOUT)), 0};
        if (in_open && input.empty()) fds[2] = {in_fd, POLLIN, 0};
        int n = ::poll(fds, 3, exited ? kDrainMs : -1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // exited and quiet (or poll failed): done
        if (fds[0].revents & POLLIN) {
            char c = 0;
            if (::read(events.read_end(), &c, 1) == 1) {
                if (c == 's') terminal.release_slave();
                if (c == 'd') exited = true;
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = ::read(master, buf, sizeof buf);
            if (got > 0) {
                if (out_fd < 0) {
                    run.output.append(buf, static_cast<size_t>(got));
                } else if (out_ok) {
                    out_ok = write_all(out_fd, buf, static_cast<size_t>(got));
                }
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                master_open = false;  // EIO: every holder of the slave closed it
            }
        }
        if (!input.empty() && (fds[1].revents & POLLOUT)) {
            ssize_t put = ::write(master, input.data(), input.size());
            if (put > 0) input.erase(0, static_cast<size_t>(put));
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = ::read(in_fd, buf, sizeof buf);
            if (got > 0) {
                input.append(buf, static_cast<size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                in_open = false;
            }
        }
        if (exited && !master_open) break;
    }
    runner.join();
    if (failure) std::rethrow_exception(failure);
    return run;
}

}  // namespace li::capi
