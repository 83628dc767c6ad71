#include "console_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <future>
#include <map>
#include <unistd.h>

#include "daemon.hpp"
#include "exec_io.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"
#include "websocket.hpp"
#include "websocket_streams.hpp"

namespace li::daemon {

namespace {

namespace asio = boost::asio;
using nlohmann::json;

// Everything below runs on the I/O context.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
    ConsoleSession(Daemon& daemon, const Instance& instance, Console console)
        : daemon_(daemon), io_(daemon.io()), instance_(instance), console_(std::move(console)), timer_(io_) {}

    std::shared_ptr<DaemonOperation> begin() {
        op_ = daemon_.operations().create(instance_websocket_spec(instance_, "Showing console", json{{"fds", streams_.fds()}}));
        auto self = shared_from_this();
        op_->set_websocket_connect([self](const std::string& secret) { return self->connect(secret); });
        op_->set_running();
        timer_.expires_after(std::chrono::seconds(5));
        timer_.async_wait([self](const boost::system::error_code& ec) {
            if (!ec && !self->started_) self->end("Timed out waiting for websockets to connect");
        });
        return op_;
    }

private:
    std::function<void(std::shared_ptr<Websocket>)> connect(const std::string& secret) {
        std::string stream = finished_ ? std::string() : streams_.claim(secret);
        if (stream.empty()) return nullptr;
        return [self = shared_from_this(), stream](std::shared_ptr<Websocket> ws) { self->opened(stream, std::move(ws)); };
    }

    void opened(const std::string& stream, std::shared_ptr<Websocket> ws) {
        streams_.attach(stream, ws);
        auto self = shared_from_this();
        ws->start([self, stream](std::string data, bool binary) { self->message(stream, std::move(data), binary); },
                  [self] { self->end({}); });  // either socket closing is a detach
        if (finished_) return ws->close();
        if (stream == "0" && !started_) start();
    }

    void message(const std::string& stream, std::string data, bool binary) {
        if (stream == "control") return control(data);
        if (!input_) return;
        if (!binary && data.empty()) return end({});  // the client's end-of-stream barrier
        input_->push(std::move(data));
    }

    void control(const std::string& text) {
        auto [width, height] = window_resize_of(json::parse(text, nullptr, false));
        if (width > 0 && height > 0 && console_.attached()) console_.resize(static_cast<uint32_t>(width), static_cast<uint32_t>(height));
    }

    void start() {
        started_ = true;
        timer_.cancel();
        int in = ::fcntl(console_.fd(), F_DUPFD_CLOEXEC, 0);
        int out = ::fcntl(console_.fd(), F_DUPFD_CLOEXEC, 0);
        if (in < 0 || out < 0) {
            if (in >= 0) ::close(in);
            if (out >= 0) ::close(out);
            return end(fmt::format("duplicating the console's descriptor: {}", std::strerror(errno)));
        }
        input_ = std::make_shared<InputSink>(io_, in);
        // The terminal ending (the instance stopped) ends the session too.
        pump_ = std::make_shared<OutputPump>(io_, out, streams_.socket("0"), [self = shared_from_this()] { self->end({}); });
        pump_->start();
    }

    // Detaches: the console is free for the next client, the operation ends, the websockets close.
    void end(const std::string& err) {
        if (finished_) return;
        finished_ = true;
        timer_.cancel();
        if (input_) input_->end();
        // The pump sends what is already read, then its barrier; it holds its own descriptor.
        if (pump_) pump_->command_exited();
        console_.detach();
        op_->finish(err);
        streams_.close_all();
    }

    Daemon& daemon_;
    asio::io_context& io_;
    Instance instance_;
    Console console_;
    asio::steady_timer timer_;
    std::shared_ptr<DaemonOperation> op_;
    WebsocketStreams streams_{{"0", "control"}};
    std::shared_ptr<InputSink> input_;
    std::shared_ptr<OutputPump> pump_;
    bool started_ = false;
    bool finished_ = false;
};

}  // namespace

std::shared_ptr<DaemonOperation> begin_console_session(Daemon& daemon, const Instance& instance, Console console) {
    auto session = std::make_shared<ConsoleSession>(daemon, instance, std::move(console));
    // Its timer and streams belong to the I/O context: begin there.
    std::promise<std::shared_ptr<DaemonOperation>> started;
    auto future = started.get_future();
    asio::post(daemon.io(), [session, &started] { started.set_value(session->begin()); });
    return future.get();
}

void add_console_routes(Router& router, Daemon& daemon) {
    add_instance_route(router, http::verb::post, "/{name}/console", [&daemon](const Call& call) -> Reply {
        Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
        json body = body_object(call);
        auto dimension = [&](const char* key) -> uint32_t {
            if (!body.contains(key) || body[key].is_null()) return 0;
            if (!body[key].is_number_integer() || body[key].get<int64_t>() < 0 || body[key].get<int64_t>() > 65535)
                throw Error::invalid(key, fmt::format("field \"{}\" must be an integer from 0 to 65535", key));
            return body[key].get<uint32_t>();
        };
        ConsoleOptions opts{dimension("width"), dimension("height")};
        std::string type = body.contains("type") && body["type"].is_string() ? body["type"].get<std::string>() : "console";
        if (type.empty()) type = "console";
        if (type == "vga") throw Error::invalid("type", "VGA consoles are only supported by virtual machines");
        if (type != "console") throw Error::invalid("type", fmt::format("unknown console type \"{}\"", type));
        // LXD answers 400 for a stopped instance here.
        if (instance.info().status_code != 103) throw Error::invalid("name", "Instance is not running");
        return async_response(*begin_console_session(daemon, instance, instance.console(opts)));
    });
}

}  // namespace li::daemon
