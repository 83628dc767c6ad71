#pragma once
// One client connection: requests read and answered in turn, asynchronously, on the I/O context
// (no thread per connection). Handlers run on the worker pool and their answers are written back
// on the I/O context; websocket routes take the connection over. Upload bodies (octet-stream or
// multipart, over 1 MiB or chunked) are streamed to a scratch file as they arrive, bounded by
// upload_limit; other bodies are held in memory, bounded by body_limit. A body over its limit is
// answered 413 and the connection closed; a malformed request 400.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "router.hpp"

namespace li::daemon {

struct SessionContext {
    const Router& router;
    boost::asio::thread_pool& workers;
    size_t body_limit;
    uint64_t upload_limit;
    std::filesystem::path scratch_dir;  ///< where upload bodies are written (set before serving)
};

using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

/// Serves socket until the client closes it (or asks for Connection: close); the unix socket's
/// clients are trusted.
void serve_connection(boost::asio::local::stream_protocol::socket socket, const SessionContext& context);
/// Serves an HTTPS client after its handshake, as identity.
void serve_connection(TlsStream stream, const SessionContext& context, Identity identity);

}  // namespace li::daemon
