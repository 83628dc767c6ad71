// The client websocket: Beast over the same checked stream RestTransport opens (rest_connect.hpp).
#include "client/rest_websocket.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/rest_connect.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;

template <class Stream>
class WebsocketImpl : public RestWebsocket, public std::enable_shared_from_this<WebsocketImpl<Stream>> {
public:
    WebsocketImpl(Stream stream, std::shared_ptr<asio::ssl::context> tls_context)
        : tls_context_(std::move(tls_context)), ws_(std::move(stream)) {
        ws_.read_message_max(64 * 1024 * 1024);
    }

    ws::stream<Stream>& stream() { return ws_; }

    void start(OnMessage on_message, OnClose on_close) override {
        on_message_ = std::move(on_message);
        on_close_ = std::move(on_close);
        read();
    }

    void send(std::string data, bool binary) override { queue(Message{std::move(data), binary, Kind::Data}); }
    void finish() override {
        queue(Message{{}, false, Kind::Data});
        close();
    }
    void close() override { queue(Message{{}, false, Kind::Close}); }
    void abort() override {
        asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).close(ignored);
        });
    }

private:
    enum class Kind { Data, Close };
    struct Message {
        std::string data;
        bool binary;
        Kind kind;
    };

    void queue(Message m) {
        asio::post(ws_.get_executor(), [self = this->shared_from_this(), m = std::move(m)]() mutable {
            self->outbox_.push_back(std::move(m));
            if (self->outbox_.size() == 1) self->write_next();
        });
    }

    void read() {
        ws_.async_read(inbox_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->closed();
            std::string data = beast::buffers_to_string(self->inbox_.data());
            self->inbox_.consume(self->inbox_.size());
            if (self->on_message_) self->on_message_(std::move(data), self->ws_.got_binary());
            self->read();
        });
    }

    void write_next() {
        if (outbox_.empty()) return;
        Message& next = outbox_.front();
        if (broken_ || closing_) return finish_front();
        if (next.kind == Kind::Close) {
            closing_ = true;
            ws_.async_close(ws::close_code::normal, [self = this->shared_from_this()](beast::error_code) { self->finish_front(); });
            return;
        }
        ws_.binary(next.binary);
        ws_.async_write(asio::buffer(next.data), [self = this->shared_from_this()](beast::error_code ec, size_t) {
            if (ec) self->broken_ = true;
            self->finish_front();
        });
    }

    void finish_front() {
        outbox_.pop_front();
        write_next();
    }

    void closed() {
        broken_ = true;
        if (auto on_close = std::move(on_close_)) {
            on_close_ = nullptr;
            on_close();
        }
        on_message_ = nullptr;  // the handlers may hold this websocket: break the cycle
    }

    std::shared_ptr<asio::ssl::context> tls_context_;  // outlives the stream
    ws::stream<Stream> ws_;
    beast::flat_buffer inbox_;
    std::deque<Message> outbox_;
    OnMessage on_message_;
    OnClose on_close_;
    bool closing_ = false;
    bool broken_ = false;
};

template <class Stream>
std::shared_ptr<RestWebsocket> upgrade(asio::io_context& io, const RestTransport& transport, const std::string& path,
                                       Stream stream, std::shared_ptr<asio::ssl::context> tls_context) {
    auto socket = std::make_shared<WebsocketImpl<Stream>>(std::move(stream), std::move(tls_context));
    const auto& params = transport.params();
    std::string host = transport.endpoint().unix_socket ? std::string("unix.socket") : transport.endpoint().host;
    ws::response_type response;
    beast::error_code result;
    bool done = false;
    socket->stream().async_handshake(response, host, path, [&](beast::error_code ec) {
        result = ec;
        done = true;
    });
    io.restart();
    auto deadline = std::chrono::steady_clock::now() + params.connect_timeout;
    while (!done) {  // one handler at a time: a work guard on io must not hold this up
        if (params.connect_timeout.count() > 0) {
            if (io.run_one_until(deadline) == 0 && (io.stopped() || std::chrono::steady_clock::now() >= deadline)) break;
        } else if (io.run_one() == 0) {
            break;
        }
    }
    if (!done) {
        beast::error_code ignored;
        beast::get_lowest_layer(socket->stream()).close(ignored);
        io.restart();
        while (!done && io.run_one() > 0) {
        }
        throw Error(ErrorCode::Timeout, fmt::format("{}: no websocket upgrade of {} within {} ms", params.url, path,
                                                    params.connect_timeout.count()), "url");
    }
    if (result) {
        // The server's refusal (a wrong secret, a second connection to one stream) is in its body.
        std::string why = result.message();
        auto doc = nlohmann::json::parse(response.body(), nullptr, false);
        if (doc.is_object() && doc.contains("error") && doc["error"].is_string()) why = doc["error"];
        else if (response.result_int() != 0) why = fmt::format("{} ({})", why, response.result_int());
        throw Error(response.result_int() == 403 ? ErrorCode::PermissionDenied : ErrorCode::Backend,
                    fmt::format("{}: websocket {}: {}", params.url, path, why), "url");
    }
    io.restart();  // the caller runs it from now on
    return socket;
}

}  // namespace

std::shared_ptr<RestWebsocket> open_websocket(asio::io_context& io, const RestTransport& transport, const std::string& path) {
    std::optional<RestStream> opened;
    try {
        opened.emplace(open_rest_stream(io, transport.params(), transport.endpoint()));
    } catch (const boost::system::system_error& e) {
        throw Error(ErrorCode::Backend, fmt::format("{}: {}", transport.params().url, e.code().message()), "url");
    }
    RestStream& stream = *opened;
    if (stream.unix_socket) return upgrade(io, transport, path, std::move(*stream.unix_socket), nullptr);
    return upgrade(io, transport, path, std::move(*stream.tls), stream.tls_context);
}

}  // namespace li::rest
