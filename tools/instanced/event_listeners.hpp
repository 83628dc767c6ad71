#pragma once
// The clients of /1.0/events: each gets the library's events through a subscription of its own
// (filtered by type and project by the library) and the daemon's own operation events by
// broadcast. A client that stops reading is disconnected once 4096 events wait for it, rather
// than slowing anyone else down.

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "libinstance/event.hpp"

namespace li::daemon {

class Websocket;

class EventListeners {
public:
    explicit EventListeners(EventBus& bus) : bus_(bus) {}
    /// Serves ws until it closes.
    void add(std::shared_ptr<Websocket> ws, const EventFilter& filter);
    /// Sends an event of the daemon's own to every listener it concerns.
    void broadcast(const std::string& type, const std::string& project, const nlohmann::json& metadata);
    size_t size();

private:
    struct Listener;
    void deliver(const std::shared_ptr<Listener>& listener, std::string text);
    EventBus& bus_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<Listener>> listeners_;
};

}  // namespace li::daemon
