#include "exec_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <fcntl.h>
#include <fmt/format.h>
#include <future>
#include <map>
#include <pty.h>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>

#include "daemon.hpp"
#include "exec_io.hpp"
#include "libinstance/error.hpp"
#include "websocket.hpp"
#include "websocket_streams.hpp"

namespace li::daemon {

namespace {

namespace asio = boost::asio;
using nlohmann::json;

class ExecSession : public std::enable_shared_from_this<ExecSession> {
public:
    ExecSession(Daemon& daemon, Instance instance, ExecRequest request)
        : daemon_(daemon), io_(daemon.io()), instance_(std::move(instance)), request_(std::move(request)), timer_(io_),
          streams_(request_.interactive ? std::vector<std::string>{"0", "control"} : std::vector<std::string>{"0", "1", "2", "control"}) {}

    std::shared_ptr<DaemonOperation> begin() {
        json env = json::object();
        for (const auto& e : request_.options.env) env[e.substr(0, e.find('='))] = e.substr(e.find('=') + 1);
        json metadata{{"fds", streams_.fds()}, {"command", request_.command}, {"environment", env}, {"interactive", request_.interactive}};
        op_ = daemon_.operations().create(instance_websocket_spec(instance_, "Executing command", metadata));
        auto self = shared_from_this();
        op_->set_websocket_connect([self](const std::string& secret) { return self->connect(secret); });
        op_->set_running();
        // LXD gives the client 5 s to open its streams.
        timer_.expires_after(std::chrono::seconds(5));
        timer_.async_wait([self](const boost::system::error_code& ec) {
            if (!ec && !self->started_) self->fail("Timed out waiting for websockets to connect");
        });
        return op_;
    }

private:
    // Runs on the I/O thread (websocket routes do).
    std::function<void(std::shared_ptr<Websocket>)> connect(const std::string& secret) {
        std::string stream = streams_.claim(secret);
        if (stream.empty()) return nullptr;
        return [self = shared_from_this(), stream](std::shared_ptr<Websocket> ws) { self->opened(stream, std::move(ws)); };
    }

    void opened(const std::string& stream, std::shared_ptr<Websocket> ws) {
        streams_.attach(stream, ws);
        auto self = shared_from_this();
        ws->start([self, stream](std::string data, bool binary) { self->message(stream, std::move(data), binary); },
                  [self, stream] { self->socket_closed(stream); });
        bool ready = request_.interactive ? streams_.open("0") && streams_.open("control")
                                          : streams_.open("0") && streams_.open("1") && streams_.open("2");
        if (ready && !started_ && !finished_) start();
    }

    void message(const std::string& stream, std::string data, bool binary) {
        if (stream == "control") return control(data);
        if (stream != "0") return;
        if (!input_) {  // before the command starts (pylxd sends stdin at once): kept for it
            early_input_.emplace_back(std::move(data), binary);
            return;
        }
        if (!binary && data.empty()) {
            if (!request_.interactive) input_->end();  // stdin's end; a terminal has no end
            return;
        }
        input_->push(std::move(data));
    }

    void control(const std::string& text) {
        json msg = json::parse(text, nullptr, false);
        if (!msg.is_object()) return;
        std::string command = msg.value("command", "");
        if (command == "window-resize") {
            auto [width, height] = window_resize_of(msg);
            resize(width, height);
        } else if (command == "signal" && msg.contains("signal") && msg["signal"].is_number_integer()) {
            int sig = msg["signal"].get<int>();
            if (exited_ || sig <= 0 || sig >= NSIG) return;  // a reaped pid may be reused
            if (pid_ > 0) ::kill(pid_, sig);
            else early_signals_.push_back(sig);  // the client may signal before the command runs
        }
    }

    void resize(int width, int height) {
        if (terminal_.master() < 0 || width <= 0 || height <= 0) return;
        terminal_.resize(static_cast<uint32_t>(width), static_cast<uint32_t>(height));
    }

    void socket_closed(const std::string& stream) {
        // The client gave up on a command still running (lxc closes control when it is killed).
        if (stream == "control" && started_ && !exited_ && pid_ > 0) ::kill(pid_, SIGKILL);
    }

    void start() {
        started_ = true;
        timer_.cancel();
        ExecOptions opts = request_.options;
        auto self = shared_from_this();
        int pipe_in[2] = {-1, -1}, pipe_out[2] = {-1, -1}, pipe_err[2] = {-1, -1};
        try {
            if (request_.interactive) {
                // A terminal of the instance's own devpts, so `tty` inside names it.
                terminal_ = instance_.open_terminal({request_.width, request_.height});
                opts.stdin_fd = opts.stdout_fd = opts.stderr_fd = terminal_.slave();
                opts.terminal = true;
                input_ = std::make_shared<InputSink>(io_, ::fcntl(terminal_.master(), F_DUPFD_CLOEXEC, 0));
                add_pump(::fcntl(terminal_.master(), F_DUPFD_CLOEXEC, 0), "0");
            } else {
                if (::pipe2(pipe_in, O_CLOEXEC) != 0 || ::pipe2(pipe_out, O_CLOEXEC) != 0 || ::pipe2(pipe_err, O_CLOEXEC) != 0)
                    throw Error::from_errno("pipe", errno);
                child_fds_ = {pipe_in[0], pipe_out[1], pipe_err[1]};
                opts.stdin_fd = pipe_in[0];
                opts.stdout_fd = pipe_out[1];
                opts.stderr_fd = pipe_err[1];
                input_ = std::make_shared<InputSink>(io_, pipe_in[1]);
                add_pump(pipe_out[0], "1");
                add_pump(pipe_err[0], "2");
            }
        } catch (const std::exception& e) {
            return fail(e.what());
        }
        for (auto& pump : pumps_) pump->start();
        for (auto& [data, binary] : std::exchange(early_input_, {})) message("0", std::move(data), binary);
        // The command's ends of the streams close here once it runs (the helper holds them), so
        // the pumps see end-of-file when the command and its children are done with them.
        opts.on_started = [self](int pid) {
            self->pid_ = pid;
            asio::post(self->io_, [self] {
                self->close_child_fds();
                for (int sig : std::exchange(self->early_signals_, {}))
                    if (!self->exited_) ::kill(self->pid_, sig);
            });
        };
        std::thread([self, opts, command = request_.command]() mutable {
            int code = -1;
            std::string err;
            try {
                code = self->instance_.exec(command, opts).exit_code;
                if (code == 126) err = "Command not executable";
            } catch (const Error& e) {
                if (e.code() == ErrorCode::NotFound && e.key() == "command") {
                    code = 127;
                    err = "Command not found";
                } else {
                    err = e.what();
                }
            } catch (const std::exception& e) {
                err = e.what();
            }
            asio::post(self->io_, [self, code, err] { self->exited(code, err); });
        }).detach();
    }

    void add_pump(int fd, const std::string& stream) {
        pumps_.push_back(std::make_shared<OutputPump>(io_, fd, streams_.socket(stream), [self = shared_from_this()] { self->pump_done(); }));
    }

    void close_child_fds() {
        for (int fd : child_fds_) ::close(fd);
        child_fds_.clear();
        terminal_.release_slave();
    }

    void exited(int code, const std::string& err) {
        exited_ = true;
        exit_code_ = code;
        err_ = err;
        close_child_fds();
        for (auto& pump : pumps_) pump->command_exited();
        if (pumps_done_ == pumps_.size()) complete();  // the streams may have ended first
    }

    void pump_done() {
        if (++pumps_done_ == pumps_.size() && exited_) complete();
    }

    // Output and barriers are out: now the exit code, then the end of the operation, then the
    // websockets close.
    void complete() {
        if (finished_) return;
        finished_ = true;
        if (input_) input_->end();
        op_->set_metadata("return", exit_code_);
        op_->finish(err_);
        close_all();
    }

    void fail(const std::string& err) {
        if (finished_) return;
        finished_ = true;
        close_child_fds();
        op_->finish(err);
        close_all();
    }

    void close_all() {
        streams_.close_all();
        terminal_ = Terminal();
    }

    Daemon& daemon_;
    asio::io_context& io_;
    Instance instance_;
    ExecRequest request_;
    asio::steady_timer timer_;
    std::shared_ptr<DaemonOperation> op_;
    WebsocketStreams streams_;
    std::vector<std::shared_ptr<OutputPump>> pumps_;
    std::shared_ptr<InputSink> input_;
    std::vector<std::pair<std::string, bool>> early_input_;
    std::vector<int> early_signals_;
    std::vector<int> child_fds_;
    Terminal terminal_;
    std::atomic<int> pid_{0};
    size_t pumps_done_ = 0;
    bool started_ = false;
    bool exited_ = false;
    bool finished_ = false;
    int exit_code_ = -1;
    std::string err_;
};

}  // namespace

std::shared_ptr<DaemonOperation> begin_websocket_exec(Daemon& daemon, Instance instance, ExecRequest request) {
    auto session = std::make_shared<ExecSession>(daemon, std::move(instance), std::move(request));
    // The session lives on through its operation's websocket hook, its timer and its pumps.
    std::shared_ptr<DaemonOperation> op;
    std::promise<std::shared_ptr<DaemonOperation>> started;
    auto future = started.get_future();
    // Its timer and streams belong to the I/O context: begin there.
    asio::post(daemon.io(), [session, &started] { started.set_value(session->begin()); });
    return future.get();
}

}  // namespace li::daemon
