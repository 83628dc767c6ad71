#pragma once
// A client websocket to the server (LXD's /1.0/events and /1.0/operations/<id>/websocket), on
// an io_context the caller runs on one thread. Messages are queued and written in order; a read
// is always pending, so the server's pings are answered while nothing else happens.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "client/rest_transport.hpp"

namespace li::rest {

class RestWebsocket {
public:
    using OnMessage = std::function<void(std::string data, bool binary)>;
    using OnClose = std::function<void()>;
    virtual ~RestWebsocket() = default;
    /// Starts reading (call on the io_context's thread, or before it runs). on_close runs once,
    /// when the peer closed or the connection broke.
    virtual void start(OnMessage on_message, OnClose on_close) = 0;
    /// Queues a message (any thread).
    virtual void send(std::string data, bool binary) = 0;
    /// Queues LXD's end of stream: an empty text frame, then a normal close (any thread).
    virtual void finish() = 0;
    /// Closes (1000) once what is queued is written (any thread).
    virtual void close() = 0;
    /// Drops the connection at once (any thread): pending operations end.
    virtual void abort() = 0;
};

/// Connects to `path` (absolute, e.g. "/1.0/events?type=lifecycle") with the transport's
/// parameters and completes the upgrade, running io (which must not be running yet) for at most
/// the connect timeout. Failures are Backend (Timeout) naming the URL and the path.
std::shared_ptr<RestWebsocket> open_websocket(boost::asio::io_context& io, const RestTransport& transport,
                                              const std::string& path);

}  // namespace li::rest
