#pragma once
// li::EventBus: LXD's events (lifecycle, operation, logging) for in-process subscribers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace li {

class ManagerCore;
class SubscriberQueue;

/// Which events a subscriber gets.
struct EventFilter {
    std::set<std::string> types;         ///< "lifecycle", "operation", "logging"; empty: all
    std::string project = "default";    ///< events of this project (ignored with all_projects)
    bool all_projects = false;
    std::string log_level = "info";     ///< lowest level of logging events: debug, info, warn, error
    size_t queue_size = 1024;            ///< events buffered before new ones are dropped
};

/// Receives one event as an LXD event JSON document. Runs on the subscription's own thread,
/// one event at a time, in order; it may block without slowing the library (events then queue
/// and, past queue_size, are dropped and counted).
using EventCallback = std::function<void(const std::string& event_json)>;

/// A live subscription; destroying it (or unsubscribe()) stops delivery.
class Subscription {
public:
    explicit Subscription(std::shared_ptr<SubscriberQueue> queue);
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    /// Events dropped because the queue was full.
    uint64_t dropped() const;
    /// Stops delivery and waits for a callback in progress (unless called from the callback).
    void unsubscribe();

private:
    std::shared_ptr<SubscriberQueue> queue_;
};

/// The event bus of one Manager.
class EventBus {
public:
    explicit EventBus(std::shared_ptr<ManagerCore> core);
    std::unique_ptr<Subscription> subscribe(const EventFilter& filter, EventCallback callback);

private:
    std::shared_ptr<ManagerCore> core_;
};

/// Where the library's own log records go besides logging events.
struct LogOptions {
    std::string level = "warn";  ///< debug, info, warn, error
    std::string file;            ///< empty: stderr; "none": nowhere; else a file appended to
};

}  // namespace li
