#pragma once
// The streams of a websocket operation (exec, console): one random secret per stream name ("0",
// "1", "2", "control"), returned to the client in metadata.fds; each secret opens its stream once.
// Used on the I/O context only.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "daemon_operations.hpp"
#include "libinstance/instance.hpp"

namespace li::daemon {

class Websocket;

class WebsocketStreams {
public:
    explicit WebsocketStreams(const std::vector<std::string>& names);
    /// {"0": secret, "control": secret, ...}
    nlohmann::json fds() const;
    /// The stream secret opens, now taken; "" when it is no stream's or was used already.
    std::string claim(const std::string& secret);
    void attach(const std::string& stream, std::shared_ptr<Websocket> ws);
    /// The open websocket of a stream, or nullptr.
    std::shared_ptr<Websocket> socket(const std::string& stream) const;
    bool open(const std::string& stream) const { return socket(stream) != nullptr; }
    /// Closes every open stream (after what is queued on it).
    void close_all();

private:
    std::map<std::string, std::string> secrets_;                  // secret -> stream
    std::map<std::string, std::shared_ptr<Websocket>> sockets_;   // stream -> websocket (nullptr: claimed, opening)
};

/// The size a control message {"command":"window-resize","args":{"width":"120","height":"40"}}
/// asks for (LXD sends the numbers as strings); {0, 0} for anything else.
std::pair<int, int> window_resize_of(const nlohmann::json& message);

/// The spec of a websocket operation on an instance (its URLs under both collections).
DaemonOperationSpec instance_websocket_spec(const Instance& instance, std::string description, nlohmann::json metadata);

}  // namespace li::daemon
