#include "local_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace li::daemon {

LocalAnswer local_request(const std::filesystem::path& socket_path, const std::string& method, const std::string& target) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    LocalAnswer answer;
    try {
        asio::io_context io;
        asio::local::stream_protocol::socket socket(io);
        socket.connect(asio::local::stream_protocol::endpoint(socket_path.string()));
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "unix.socket");
        req.keep_alive(false);
        req.prepare_payload();
        http::write(socket, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(socket, buffer, res);
        answer.status = res.result_int();
        answer.body = res.body();
    } catch (const std::exception& e) {
        answer.error = e.what();
    }
    return answer;
}

}  // namespace li::daemon
