#pragma once
// One client connection on the unix socket: requests read and answered in turn, asynchronously,
// on the I/O context (no thread per connection). A body over the limit is answered 413 and the
// connection closed; a malformed request 400.

#include <boost/asio/local/stream_protocol.hpp>
#include <cstddef>

#include "router.hpp"

namespace li::daemon {

/// Serves socket until the client closes it (or asks for Connection: close).
void serve_connection(boost::asio::local::stream_protocol::socket socket, const Router& router, size_t body_limit);

}  // namespace li::daemon
