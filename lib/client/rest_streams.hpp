#pragma once
// The websocket features of a connected Manager: exec (rest_exec.cpp), the console and the local
// terminal an interactive exec talks through (rest_exec.cpp), events (rest_events.cpp).

#include <cerrno>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <poll.h>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include "client/rest_transport.hpp"
#include "libinstance/event.hpp"
#include "libinstance/instance.hpp"

namespace li::rest {

using Rest = std::shared_ptr<RestTransport>;

/// POST .../exec with wait-for-websocket; stdin, stdout and stderr (or the terminal) travel over
/// the operation's websockets, the exit code is the operation's metadata.return. A terminal exec
/// relays opts.stdin_fd (a terminal of open_terminal()) both ways and sends its size changes.
ExecResult exec(const Rest& rest, std::string_view project, std::string_view name, const std::vector<std::string>& argv,
                const ExecOptions& opts);
/// A local terminal pair in raw mode: over REST the command's terminal is the server's, this one
/// only carries the bytes (and the size) to the relay of exec().
Terminal open_terminal(const Rest& rest, std::string_view project, std::string_view name, const ConsoleOptions& size);
/// POST .../console: a local terminal whose master is returned, relayed to the console websocket
/// by a thread of its own until the Console is detached or the server ends the session.
Console console(const Rest& rest, std::string_view project, std::string_view name, const ConsoleOptions& opts);
std::string console_log(const Rest& rest, std::string_view project, std::string_view name);
void clear_console_log(const Rest& rest, std::string_view project, std::string_view name);
/// GET /1.0/events as a websocket, each text frame handed to the callback on the subscription's
/// own thread.
std::unique_ptr<Subscription> subscribe(const Rest& rest, const EventFilter& filter, EventCallback callback);

/// Reads a local descriptor on a thread of its own (regular files cannot be polled by asio)
/// until end of file or stop(); data and the end are handed to the callbacks on that thread.
class FdReader {
public:
    FdReader(int fd, std::function<void(std::string)> on_data, std::function<void()> on_end)
        : fd_(fd), on_data_(std::move(on_data)), on_end_(std::move(on_end)) {
        if (::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
        thread_ = std::thread([this] { run(); });
    }
    ~FdReader() { stop(); }
    FdReader(const FdReader&) = delete;
    FdReader& operator=(const FdReader&) = delete;
    /// Ends the thread without calling on_end; idempotent.
    void stop() {
        if (thread_.joinable()) {
            char c = 'x';
            (void)!::write(wake_[1], &c, 1);
            thread_.join();
        }
        for (int& fd : wake_)
            if (fd >= 0) ::close(std::exchange(fd, -1));
    }

private:
    void run() {
        char buf[16384];
        for (;;) {
            pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
            int n = ::poll(fds, 2, -1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 || (fds[1].revents & POLLIN)) return;
            ssize_t got = ::read(fd_, buf, sizeof buf);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (got <= 0) {  // end of file, or EIO: the terminal's other side is closed
                on_end_();
                return;
            }
            on_data_(std::string(buf, static_cast<size_t>(got)));
        }
    }

    int fd_;
    int wake_[2] = {-1, -1};
    std::function<void(std::string)> on_data_;
    std::function<void()> on_end_;
    std::thread thread_;
};

/// Writes all of data to fd (blocking, EINTR and EAGAIN retried); false once it cannot.
bool write_all_fd(int fd, const char* data, size_t size);

}  // namespace li::rest
