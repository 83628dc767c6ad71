#pragma once
// The connection RestTransport opens (a unix socket, or TLS over TCP with the server checked as
// the parameters say), on an io_context of the caller's: websockets (exec, console, events) open
// theirs the same way as requests do. Defined in rest_transport.cpp.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "client/rest_transport.hpp"

namespace li {

/// One open stream: exactly one of unix_socket and tls is set.
struct RestStream {
    std::optional<boost::asio::local::stream_protocol::socket> unix_socket;
    std::shared_ptr<boost::asio::ssl::context> tls_context;  ///< outlives tls (declared first)
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls;
    std::string peer_pem;  ///< the certificate the server presented (TLS)

    /// Closes the socket under the stream: pending operations end with operation_aborted.
    void close();
};

/// Opens a stream on io (which must not be running elsewhere: the connect runs it), giving up
/// after params.connect_timeout with Timeout naming the URL. The server's certificate is checked
/// before anything is sent; connection failures are Backend naming the URL.
RestStream open_rest_stream(boost::asio::io_context& io, const RestConnectionParams& params, const RestEndpoint& endpoint);

/// Runs io until the operation `start` begins ends (its handler gets the error code first), or
/// until `limit` passed (0: no limit): then the stream is closed and false returned. io must not
/// be running elsewhere.
template <class Start>
bool run_with_limit(boost::asio::io_context& io, RestStream& stream, std::chrono::milliseconds limit,
                    boost::system::error_code& result, Start&& start) {
    bool done = false;
    start([&](boost::system::error_code ec, auto&&...) {
        result = ec;
        done = true;
    });
    // One handler at a time, so that other work on io (a work guard, other sockets) does not
    // keep this waiting once its own operation is over.
    io.restart();
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done) {
        if (limit.count() > 0) {
            if (io.run_one_until(deadline) == 0 && (io.stopped() || std::chrono::steady_clock::now() >= deadline)) break;
        } else if (io.run_one() == 0) {
            break;
        }
    }
    if (done) return true;
    stream.close();  // ends the operation: its handler must run before `done` goes out of scope
    io.restart();
    while (!done && io.run_one() > 0) {
    }
    return false;
}

}  // namespace li
