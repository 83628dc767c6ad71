#pragma once
// A websocket after the HTTP upgrade. Messages are queued and written in order on the socket's
// I/O context; a read loop hands each message over; pings go out every 15 s and a peer silent for
// 30 s is dropped (LXD drops listeners that miss pongs).

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "router.hpp"

namespace li::daemon {

class Websocket {
public:
    using OnMessage = std::function<void(std::string data, bool binary)>;
    using OnClose = std::function<void()>;
    virtual ~Websocket() = default;
    /// Starts reading; on_close runs once, when the peer closed or the connection broke. Call it
    /// on the I/O context.
    virtual void start(OnMessage on_message, OnClose on_close) = 0;
    /// Queues a message (any thread); on_written runs on the I/O context once it is written or
    /// can no longer be.
    virtual void send(std::string data, bool binary, std::function<void()> on_written = {}) = 0;
    /// Closes (1000) once what is queued is written (any thread).
    virtual void close() = 0;
    /// Messages queued and not yet written.
    virtual size_t queued() const = 0;
    virtual boost::asio::any_io_executor executor() = 0;
};

/// Completes the upgrade request on stream and hands the open websocket to on_open (nothing when
/// the handshake fails).
template <class Stream>
void accept_websocket(Stream stream, const Request& request, std::function<void(std::shared_ptr<Websocket>)> on_open);

}  // namespace li::daemon
