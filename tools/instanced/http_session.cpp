#include "http_session.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <memory>
#include <optional>

namespace li::daemon {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Socket = asio::local::stream_protocol::socket;

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Socket socket, const Router& router, size_t body_limit)
        : socket_(std::move(socket)), router_(router), body_limit_(body_limit) {}

    void read() {
        parser_.emplace();
        parser_->body_limit(body_limit_);
        parser_->header_limit(64 * 1024);
        http::async_read(socket_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset) return close();
        if (ec == http::error::body_limit) return write(error_response(http::status::payload_too_large, "request body too large"), false);
        if (ec) return write(error_response(http::status::bad_request, "malformed request: " + ec.message()), false);
        const Request& request = parser_->get();
        write(router_.dispatch(request), request.keep_alive());
    }

    void write(Response response, bool keep_alive) {
        response.keep_alive(keep_alive);
        auto owned = std::make_shared<Response>(std::move(response));
        http::async_write(socket_, *owned, [self = shared_from_this(), owned, keep_alive](beast::error_code ec, size_t) {
            if (!ec && keep_alive) self->read();
            else self->close();
        });
    }

    void close() {
        beast::error_code ignored;
        socket_.shutdown(Socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    Socket socket_;
    const Router& router_;
    size_t body_limit_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

void serve_connection(Socket socket, const Router& router, size_t body_limit) {
    std::make_shared<Session>(std::move(socket), router, body_limit)->read();
}

}  // namespace li::daemon
