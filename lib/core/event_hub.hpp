#pragma once
// The event hub of one manager: fans events out to subscriber queues without ever blocking.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "libinstance/event.hpp"

namespace li {

/// One subscriber: a bounded queue drained by its own thread into the callback, in order.
class SubscriberQueue : public std::enable_shared_from_this<SubscriberQueue> {
public:
    SubscriberQueue(EventFilter filter, EventCallback callback);
    ~SubscriberQueue();

    /// Starts the delivery thread (separate from the constructor: it needs shared_from_this).
    void start();
    bool wants(const std::string& type, const std::string& project, log::Level level) const;
    /// Queues an event; drops (and counts) it when the queue is full. Never blocks.
    void push(const std::string& event_json);
    /// Ends delivery; joins the thread unless called from it.
    void stop();
    bool stopped() const { return stopped_.load(); }
    uint64_t dropped() const { return dropped_.load(); }

private:
    void run();

    EventFilter filter_;
    log::Level log_level_;
    EventCallback callback_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    std::atomic<bool> stopped_{false};
    std::atomic<uint64_t> dropped_{0};
    std::thread thread_;
};

class EventHub {
public:
    EventHub();
    ~EventHub();
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    std::shared_ptr<SubscriberQueue> subscribe(const EventFilter& filter, EventCallback callback);
    /// True when some subscriber wants this event: lets publishers skip building it.
    bool wanted(const std::string& type, const std::string& project, log::Level level = log::Level::Error) const;
    /// Publishes an event whose metadata is the given JSON object.
    void publish(const std::string& type, const std::string& project, const std::string& metadata_json,
                 log::Level level = log::Level::Error);

    /// An LXD lifecycle event, e.g. ("instance-started", "/1.0/instances/c1").
    void lifecycle(const std::string& project, const std::string& action, const std::string& source,
                   const std::map<std::string, std::string>& context = {});
    /// The same with a context that is not only strings, given as a JSON object.
    void lifecycle_json(const std::string& project, const std::string& action, const std::string& source,
                        const std::string& context_json);

private:
    std::vector<std::shared_ptr<SubscriberQueue>> live() const;

    mutable std::mutex mutex_;
    std::vector<std::weak_ptr<SubscriberQueue>> subscribers_;
    std::atomic<size_t> count_{0};
    int log_sink_id_;
};

/// LXD's API path of an object, with ?project= outside the default project.
std::string api_source(const std::string& collection, const std::string& name, const std::string& project);

}  // namespace li
