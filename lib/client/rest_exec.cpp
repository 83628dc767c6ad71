// Exec and the console over REST: LXD's websocket operations (POST .../exec or .../console with
// the streams' secrets in the operation's metadata.fds; data in binary frames, an empty text frame
// ends a stream; JSON control messages carry window sizes and signals).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <fcntl.h>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "client/rest_streams.hpp"
#include "client/rest_websocket.hpp"
#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::rest {

namespace asio = boost::asio;
using nlohmann::json;

bool write_all_fd(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0) return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

namespace {

std::string instance_path(std::string_view project, std::string_view name, std::string_view tail) {
    return with_project(fmt::format("/1.0/instances/{}{}", url_escape(name), tail), project);
}

std::string operation_id(const RestResponse& response) {
    std::string op = response.operation.empty() ? response.location : response.operation;
    op = op.substr(0, op.find('?'));
    auto slash = op.rfind('/');
    if (response.type != "async" || slash == std::string::npos)
        throw Error(ErrorCode::Backend, "the server did not answer with a websocket operation");
    return op.substr(slash + 1);
}

std::string secret_of(const RestResponse& response, const char* stream) {
    const json& meta = response.metadata;
    if (meta.is_object() && meta.contains("metadata") && meta["metadata"].is_object()) {
        const json& fds = meta["metadata"].value("fds", json::object());
        if (fds.is_object() && fds.contains(stream) && fds[stream].is_string()) return fds[stream];
    }
    throw Error(ErrorCode::Backend, fmt::format("the server's operation has no websocket \"{}\"", stream));
}

std::string window_resize(int fd) {
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return {};
    return json{{"command", "window-resize"}, {"args", {{"width", std::to_string(ws.ws_col)}, {"height", std::to_string(ws.ws_row)}}}}
        .dump();
}

// The websockets of one operation on one io_context run by one thread, stopped and joined on
// destruction (also when the caller's thread throws).
class Session {
public:
    Session(const Rest& rest, const RestResponse& response) : rest_(rest), id_(operation_id(response)), response_(response) {}
    ~Session() { stop(); }

    std::shared_ptr<RestWebsocket> open(const char* stream) {
        return open_websocket(io_, *rest_, fmt::format("/1.0/operations/{}/websocket?secret={}", id_, url_escape(secret_of(response_, stream))));
    }
    void run() {
        thread_ = std::thread([this] { io_.run(); });
    }
    // Polls the terminal's size: a size set on its master side signals nobody on this side.
    void follow_size(int fd, std::shared_ptr<RestWebsocket> control) {
        last_size_ = window_resize(fd);
        timer_.expires_after(std::chrono::milliseconds(250));
        timer_.async_wait([this, fd, control](boost::system::error_code ec) {
            if (ec) return;
            std::string size = window_resize(fd);
            if (!size.empty() && size != last_size_) control->send(size, false);
            follow_size(fd, control);
        });
    }
    void stop() {
        if (!thread_.joinable()) return;
        asio::post(io_, [this] { timer_.cancel(); });
        guard_.reset();  // lets run() return once the sockets closed
        // The caller queued the closes: give them a moment, then drop what is left.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (!io_.stopped() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        io_.stop();
        thread_.join();
    }
    asio::io_context& io() { return io_; }
    const std::string& id() const { return id_; }

    // Completion of the output streams, signalled from the io thread.
    void stream_ended() {
        std::lock_guard lock(mutex_);
        ended_++;
        cv_.notify_all();
    }
    void wait_streams(int count, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, limit, [&] { return ended_ >= count; });
    }

private:
    Rest rest_;
    std::string id_;
    RestResponse response_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
    asio::steady_timer timer_{io_};
    std::string last_size_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    int ended_ = 0;
};

// Output of a stream goes to fd, or into capture; its end (the barrier, or the socket closing)
// is counted once.
void attach_output(Session& session, RestWebsocket& socket, int fd, std::string* capture) {
    auto ended = std::make_shared<bool>(false);
    auto end = [&session, ended] {
        if (!std::exchange(*ended, true)) session.stream_ended();
    };
    socket.start(
        [fd, capture, ended, end](std::string data, bool binary) {
            if (*ended) return;
            if (!binary) return end();  // the barrier: this stream is over
            if (fd >= 0) write_all_fd(fd, data.data(), data.size());
            else if (capture) capture->append(data);
        },
        end);
}

// Waits for the exec operation to end; its metadata.return is the exit code (also when the
// operation failed with "Command not found": 127).
int wait_exit_code(const Rest& rest, const std::string& id) {
    auto waiter = rest->clone();
    for (;;) {
        json op = waiter->get("/1.0/operations/" + id + "/wait?timeout=1").metadata;
        int status = op.value("status_code", 0);
        if (status < 200) continue;
        const json& meta = op.value("metadata", json::object());
        if (meta.is_object() && meta.contains("return") && meta["return"].is_number_integer()) return meta["return"].get<int>();
        std::string err = op.value("err", "");
        throw Error(status == 401 ? ErrorCode::Cancelled : ErrorCode::Backend, err.empty() ? "the command did not run" : err);
    }
}

}  // namespace

ExecResult exec(const Rest& rest, std::string_view project, std::string_view name, const std::vector<std::string>& argv,
                const ExecOptions& opts) {
    if (argv.empty()) throw Error::invalid("command", "the command is empty");
    if (opts.terminal && opts.stdin_fd < 0)
        throw Error::invalid("terminal", "a terminal exec needs stdin_fd (the slave side of open_terminal())");
    json env = json::object();
    for (const auto& e : opts.env) {
        auto eq = e.find('=');
        if (eq == std::string::npos || eq == 0) throw Error::invalid("env", fmt::format("\"{}\" is not KEY=VALUE", e));
        env[e.substr(0, eq)] = e.substr(eq + 1);
    }
    json body{{"command", argv},         {"environment", env},    {"wait-for-websocket", true}, {"interactive", opts.terminal},
              {"record-output", false},  {"user", opts.uid},      {"group", opts.gid},          {"cwd", opts.cwd},
              {"width", 0},              {"height", 0}};
    if (opts.terminal) {
        winsize ws{};
        if (::ioctl(opts.stdin_fd, TIOCGWINSZ, &ws) == 0) body["width"] = ws.ws_col, body["height"] = ws.ws_row;
    }
    RestResponse response = rest->request("POST", instance_path(project, name, "/exec"), &body);

    ExecResult result;
    Session session(rest, response);
    // lxc's order: control first, then the streams; the command starts once they are all open.
    auto control = session.open("control");
    auto input = session.open("0");
    std::shared_ptr<RestWebsocket> out, err;
    if (!opts.terminal) {
        out = session.open("1");
        err = session.open("2");
    }
    control->start([](std::string, bool) {}, [] {});
    int outputs = 0;
    auto attach = [&](const std::shared_ptr<RestWebsocket>& socket, int fd, std::string* capture) {
        outputs++;
        attach_output(session, *socket, fd, capture);
    };
    if (opts.terminal) {
        attach(input, opts.stdin_fd, nullptr);
    } else {
        input->start([](std::string, bool) {}, [] {});
        attach(out, opts.stdout_fd, &result.stdout_data);
        attach(err, opts.stderr_fd, &result.stderr_data);
    }
    session.run();

    std::unique_ptr<FdReader> reader;
    if (opts.stdin_fd >= 0) {
        reader = std::make_unique<FdReader>(
            opts.stdin_fd, [input](std::string data) { input->send(std::move(data), true); }, [input] { input->finish(); });
        if (opts.terminal) asio::post(session.io(), [&session, fd = opts.stdin_fd, control] { session.follow_size(fd, control); });
    } else {
        if (opts.stdin_data && !opts.stdin_data->empty()) input->send(*opts.stdin_data, true);
        input->finish();
    }

    // Signals travel as lxc sends them, over control; the gate shuts before the sockets close.
    struct SignalGate {
        std::mutex mutex;
        bool open = true;
    };
    auto gate = std::make_shared<SignalGate>();
    if (opts.on_signal_ready)
        // A weak reference: a caller keeping the function past exec() must not keep the socket
        // past its io_context.
        opts.on_signal_ready([gate, weak = std::weak_ptr<RestWebsocket>(control)](int sig) {
            std::lock_guard lock(gate->mutex);
            auto socket = weak.lock();
            if (gate->open && socket && sig > 0) socket->send(json{{"command", "signal"}, {"signal", sig}}.dump(), false);
        });
    auto shut = [gate] {
        std::lock_guard lock(gate->mutex);
        gate->open = false;
    };

    try {
        result.exit_code = wait_exit_code(rest, session.id());
    } catch (...) {
        shut();
        throw;
    }
    shut();
    // The server sends all output before it sets the exit code; a stream cut off ends too.
    session.wait_streams(outputs, std::chrono::seconds(5));
    if (reader) reader->stop();
    for (const auto& socket : {control, input, out, err})
        if (socket) socket->close();
    session.stop();
    return result;
}

namespace {

// A terminal pair of this host in raw mode: the line discipline that matters is the server's.
Terminal local_terminal(const ConsoleOptions& size) {
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0)
        throw Error::from_errno("allocating a local terminal", errno);
    char path[128];
    if (::ptsname_r(master.get(), path, sizeof path) != 0) throw Error::from_errno("naming the local terminal", errno);
    int slave = ::open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) throw Error::from_errno(fmt::format("opening {}", path), errno);
    termios raw{};
    if (::tcgetattr(slave, &raw) == 0) {
        ::cfmakeraw(&raw);
        ::tcsetattr(slave, TCSANOW, &raw);
    }
    Terminal terminal(master.release(), slave);
    if (size.width > 0 && size.height > 0) terminal.resize(size.width, size.height);
    return terminal;
}

}  // namespace

Terminal open_terminal(const Rest& rest, std::string_view project, std::string_view name, const ConsoleOptions& size) {
    // The same refusal as the embedded path gives for a stopped instance.
    json state = rest->get(instance_path(project, name, "/state")).metadata;
    if (state.value("status_code", 0) != 103)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", name), "name");
    return local_terminal(size);
}

Console console(const Rest& rest, std::string_view project, std::string_view name, const ConsoleOptions& opts) {
    Terminal terminal = local_terminal(opts);
    json body{{"width", opts.width}, {"height", opts.height}, {"type", "console"}};
    RestResponse response = rest->request("POST", instance_path(project, name, "/console"), &body);
    auto session = std::make_shared<Session>(rest, response);
    auto control = session->open("control");
    auto data = session->open("0");
    // The relay lives as long as the console: it ends when the Console closes its master side
    // (reading the slave fails) or the server ends the session; then the slave is closed, so a
    // reader of the master sees the end too.
    int slave_fd = ::fcntl(terminal.slave(), F_DUPFD_CLOEXEC, 0);
    if (slave_fd < 0) throw Error::from_errno("duplicating the local terminal", errno);
    terminal.release_slave();
    control->start([](std::string, bool) {}, [s = session.get()] { s->stream_ended(); });
    attach_output(*session, *data, slave_fd, nullptr);
    session->run();
    int master = terminal.release_master();
    std::thread([session, control, data, slave_fd] {
        asio::post(session->io(), [session, slave_fd, control] { session->follow_size(slave_fd, control); });
        FdReader reader(
            slave_fd, [data](std::string bytes) { data->send(std::move(bytes), true); }, [s = session.get()] { s->stream_ended(); });
        session->wait_streams(1, std::chrono::hours(24 * 365));
        reader.stop();
        data->finish();
        control->close();
        session->stop();
        ::close(slave_fd);
    }).detach();
    return Console(master, -1, -1);
}

std::string console_log(const Rest& rest, std::string_view project, std::string_view name) {
    return rest->request_raw("GET", instance_path(project, name, "/console"), {}, {}).body;
}

void clear_console_log(const Rest& rest, std::string_view project, std::string_view name) {
    rest->request("DELETE", instance_path(project, name, "/console"));
}

}  // namespace li::rest
