#include "websocket.hpp"

#include <atomic>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "http_session.hpp"
#include <deque>

namespace li::daemon {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;

template <class Stream>
class WebsocketImpl : public Websocket, public std::enable_shared_from_this<WebsocketImpl<Stream>> {
public:
    explicit WebsocketImpl(Stream stream) : ws_(std::move(stream)) {
        ws::stream_base::timeout timeout{};
        timeout.handshake_timeout = std::chrono::seconds(30);
        timeout.idle_timeout = std::chrono::seconds(30);
        timeout.keep_alive_pings = true;
        ws_.set_option(timeout);
        ws_.read_message_max(64 * 1024 * 1024);
    }

    void accept(const Request& request, std::function<void(std::shared_ptr<Websocket>)> on_open) {
        ws_.async_accept(request, [self = this->shared_from_this(), on_open = std::move(on_open)](beast::error_code ec) {
            if (!ec) on_open(self);
        });
    }

    void start(OnMessage on_message, OnClose on_close) override {
        on_message_ = std::move(on_message);
        on_close_ = std::move(on_close);
        read();
    }

    void send(std::string data, bool binary, std::function<void()> on_written) override {
        queued_++;
        asio::post(ws_.get_executor(), [self = this->shared_from_this(), data = std::move(data), binary,
                                        on_written = std::move(on_written)]() mutable {
            self->outbox_.push_back(Message{std::move(data), binary, std::move(on_written), false});
            if (self->outbox_.size() == 1) self->write_next();
        });
    }

    void close() override {
        asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
            self->outbox_.push_back(Message{{}, false, {}, true});
            if (self->outbox_.size() == 1) self->write_next();
        });
    }

    size_t queued() const override { return queued_.load(); }
    asio::any_io_executor executor() override { return ws_.get_executor(); }

private:
    struct Message {
        std::string data;
        bool binary;
        std::function<void()> on_written;
        bool close;
    };

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
        if (next.close) {
            if (closing_ || broken_) return finish_front();
            closing_ = true;
            ws_.async_close(ws::close_code::normal, [self = this->shared_from_this()](beast::error_code) { self->finish_front(); });
            return;
        }
        if (broken_ || closing_) return finish_front();
        ws_.binary(next.binary);
        ws_.async_write(asio::buffer(next.data), [self = this->shared_from_this()](beast::error_code ec, size_t) {
            if (ec) self->broken_ = true;
            self->finish_front();
        });
    }

    void finish_front() {
        Message done = std::move(outbox_.front());
        outbox_.pop_front();
        if (!done.close) queued_--;
        if (done.on_written) done.on_written();
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

    ws::stream<Stream> ws_;
    beast::flat_buffer inbox_;
    std::deque<Message> outbox_;
    std::atomic<size_t> queued_{0};
    OnMessage on_message_;
    OnClose on_close_;
    bool closing_ = false;
    bool broken_ = false;
};

}  // namespace

template <class Stream>
void accept_websocket(Stream stream, const Request& request, std::function<void(std::shared_ptr<Websocket>)> on_open) {
    std::make_shared<WebsocketImpl<Stream>>(std::move(stream))->accept(request, std::move(on_open));
}

template void accept_websocket<asio::local::stream_protocol::socket>(asio::local::stream_protocol::socket, const Request&,
                                                                      std::function<void(std::shared_ptr<Websocket>)>);

template void accept_websocket<TlsStream>(TlsStream, const Request&, std::function<void(std::shared_ptr<Websocket>)>);

}  // namespace li::daemon
