#include "http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <atomic>
#include <limits>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <unistd.h>

#include "access.hpp"
#include "websocket.hpp"

namespace li::daemon {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

void close_stream(asio::local::stream_protocol::socket& socket) {
    beast::error_code ignored;
    socket.shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
    socket.close(ignored);
}

void close_stream(TlsStream& stream) {
    // No TLS close_notify exchange: LXD's clients do not wait for one, and a silent peer must not
    // hold the connection.
    beast::error_code ignored;
    stream.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream.next_layer().close(ignored);
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    Session(Stream stream, const SessionContext& context, Identity identity)
        : stream_(std::move(stream)), context_(context), identity_(std::move(identity)) {}

    void read() {
        request_.reset();
        upload_.reset();
        parser_.emplace();
        // The limit is chosen once the header says where the body goes (Beast would otherwise
        // refuse a declared length over it while reading the header). Not boost::none: Boost
        // 1.74 compares a length with an empty limit as if it were exceeded.
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        parser_->header_limit(64 * 1024);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

private:
    // The header decides where the body goes: an upload that is large (or of unknown length) to a
    // scratch file, anything else into memory.
    void on_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        const auto& header = parser_->get();
        auto length = parser_->content_length();
        std::string_view method(header.method_string().data(), header.method_string().size());
        auto type = header[http::field::content_type];
        bool large = !length || *length > kInMemoryUploadBytes;
        std::string_view target(header.target().data(), header.target().size());
        if (!parser_->is_done() && large && is_upload(method, target, std::string_view(type.data(), type.size())))
            return read_to_file();
        // A declared length over the limit is refused before any of the body is read.
        if (length && *length > context_.body_limit) return on_read(http::error::body_limit);
        parser_->body_limit(context_.body_limit);
        http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            if (!ec) self->request_.emplace(self->parser_->release());
            self->on_read(ec);
        });
    }

    void read_to_file() {
        static std::atomic<unsigned> counter{0};
        auto path = context_.scratch_dir / fmt::format("upload-{}-{}", ::getpid(), counter++);
        file_parser_.emplace(std::move(*parser_));
        parser_.reset();
        file_parser_->body_limit(context_.upload_limit);
        if (auto length = file_parser_->content_length(); length && *length > context_.upload_limit)
            return on_read(http::error::body_limit);
        beast::error_code ec;
        file_parser_->get().body().open(path.c_str(), beast::file_mode::write, ec);
        if (ec) return write(error_response(http::status::internal_server_error, "cannot store the upload: " + ec.message()), false);
        // Owned from here on: a failed or refused upload leaves no file behind.
        upload_ = std::make_shared<UploadedBody>(path, 0);
        http::async_read(stream_, buffer_, *file_parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            auto message = self->file_parser_->release();
            self->file_parser_.reset();
            message.body().close();
            if (!ec) {
                std::error_code size_ec;
                auto size = std::filesystem::file_size(self->upload_->path(), size_ec);
                self->upload_->set_size(size_ec ? 0 : size);
                self->request_.emplace(std::move(message.base()));
            }
            self->on_read(ec);
        });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset) return close();
        if (ec == http::error::body_limit) return write(error_response(http::status::payload_too_large, "request body too large"), false);
        if (ec) return write(error_response(http::status::bad_request, "malformed request: " + ec.message()), false);
        const Request& request = *request_;
        auto routed = context_.router.route(request);
        if (auto* answer = std::get_if<Response>(&routed)) return write(std::move(*answer), request.keep_alive());
        if (auto* upgrade = std::get_if<Router::Upgrade>(&routed)) {
            upgrade->call.identity = &identity_;
            if (auto refusal = access_refusal(upgrade->call)) return write(std::move(*refusal), false);
            return on_upgrade(*upgrade);
        }
        auto plain = std::get<Router::Plain>(std::move(routed));
        plain.call.identity = &identity_;
        plain.call.upload = upload_;
        if (auto refusal = access_refusal(plain.call)) return write(std::move(*refusal), request.keep_alive());
        // Off the I/O thread: a handler may read the database or wait on a lock.
        asio::post(context_.workers, [self = this->shared_from_this(), plain = std::move(plain)]() {
            Reply reply = Router::guarded([&] { return (*plain.handler)(plain.call); });
            asio::post(self->stream_.get_executor(), [self, reply = std::move(reply)]() mutable { self->answer(std::move(reply)); });
        });
    }

    void answer(Reply reply) {
        bool keep_alive = request_->keep_alive();
        upload_.reset();  // a handler that still needs the file holds it itself
        if (auto* response = std::get_if<Response>(&reply)) return write(std::move(*response), keep_alive);
        if (auto* file = std::get_if<FileResponse>(&reply)) return write_file(std::move(*file), keep_alive);
        auto respond = [self = this->shared_from_this(), keep_alive](Response response) { self->write(std::move(response), keep_alive); };
        try {
            std::get<Deferred>(reply)(stream_.get_executor(), respond);
        } catch (const std::exception& e) {
            write(error_answer(e), keep_alive);
        }
    }

    void on_upgrade(const Router::Upgrade& upgrade) {
        const Request& request = *request_;
        if (!beast::websocket::is_upgrade(request))
            return write(error_response(http::status::bad_request, "this endpoint is a websocket: the request must ask for an upgrade"), false);
        WebsocketAnswer answer;
        try {
            answer = (*upgrade.handler)(upgrade.call);
        } catch (const std::exception& e) {
            return write(error_answer(e), false);
        }
        if (answer.refusal) return write(std::move(*answer.refusal), false);
        // The websocket takes the connection over; the request (owned by this session) stays alive
        // until the handshake has read it.
        auto self = this->shared_from_this();
        accept_websocket(std::move(stream_), request, [self, on_open = std::move(answer.on_open)](std::shared_ptr<Websocket> ws) {
            on_open(std::move(ws));
        });
    }

    void write(Response response, bool keep_alive) {
        auto owned = std::make_shared<Response>(std::move(response));
        send(owned, *owned, keep_alive);
    }

    void write_file(FileResponse response, bool keep_alive) {
        auto owned = std::make_shared<FileResponse>(std::move(response));
        send(owned, owned->message, keep_alive);
    }

    // Writes message (part of owned, kept alive until it is sent), then reads the next request
    // or closes.
    template <class Owned, class Message>
    void send(std::shared_ptr<Owned> owned, Message& message, bool keep_alive) {
        message.keep_alive(keep_alive);
        http::async_write(stream_, message, [self = this->shared_from_this(), owned, keep_alive](beast::error_code ec, size_t) {
            if (!ec && keep_alive) self->read();
            else self->close();
        });
    }

    void close() { close_stream(stream_); }

    Stream stream_;
    const SessionContext& context_;
    Identity identity_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::request_parser<http::file_body>> file_parser_;
    std::optional<Request> request_;  // the request being answered (its body is empty for an upload)
    std::shared_ptr<UploadedBody> upload_;
};

}  // namespace

void serve_connection(asio::local::stream_protocol::socket socket, const SessionContext& context) {
    std::make_shared<Session<asio::local::stream_protocol::socket>>(std::move(socket), context, Identity{})->read();
}

void serve_connection(TlsStream stream, const SessionContext& context, Identity identity) {
    std::make_shared<Session<TlsStream>>(std::move(stream), context, std::move(identity))->read();
}

}  // namespace li::daemon
