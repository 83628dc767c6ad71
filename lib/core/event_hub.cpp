#include "core/event_hub.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "api/event_json.hpp"
#include "core/clock.hpp"
#include "libinstance/error.hpp"

namespace li {

SubscriberQueue::SubscriberQueue(EventFilter filter, EventCallback callback)
    : filter_(std::move(filter)), log_level_(log::parse_level(filter_.log_level)), callback_(std::move(callback)) {
    if (filter_.queue_size == 0) filter_.queue_size = 1024;
    for (const auto& t : filter_.types) {
        if (t != "lifecycle" && t != "operation" && t != "logging")
            throw Error::invalid("types", fmt::format("unknown event type \"{}\" (lifecycle, operation, logging)", t));
    }
    if (filter_.project.empty()) filter_.project = "default";
}

SubscriberQueue::~SubscriberQueue() {
    if (thread_.joinable()) thread_.detach();
}

void SubscriberQueue::start() {
    // The thread holds the queue alive, so a callback may end its own subscription.
    thread_ = std::thread([self = shared_from_this()] { self->run(); });
}

bool SubscriberQueue::wants(const std::string& type, const std::string& project, log::Level level) const {
    if (stopped_) return false;
    if (!filter_.types.empty() && !filter_.types.count(type)) return false;
    if (type == "logging") return level <= log_level_;
    return filter_.all_projects || project == filter_.project;
}

void SubscriberQueue::push(const std::string& event_json) {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        if (queue_.size() >= filter_.queue_size) {
            dropped_++;
            return;
        }
        queue_.push_back(event_json);
    }
    cv_.notify_one();
}

void SubscriberQueue::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_.exchange(true)) return;
        queue_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id()) thread_.detach();
        else thread_.join();
    }
}

void SubscriberQueue::run() {
    for (;;) {
        std::string event;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
            if (stopped_) return;
            event = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            callback_(event);
        } catch (...) {
            // A subscriber's failure is its own; the bus goes on.
        }
    }
}

EventHub::EventHub() {
    // The library's log records become logging events of this manager.
    log_sink_id_ = log::add_sink([this](const log::Record& r) {
        std::string project = r.context.count("project") ? r.context.at("project") : "default";
        if (!wanted("logging", project, r.level)) return;
        publish("logging", project, api::logging_metadata_json(r.message, log::level_name(r.level), r.context), r.level);
    });
}

EventHub::~EventHub() {
    log::remove_sink(log_sink_id_);
    for (auto& s : live()) s->stop();
}

std::shared_ptr<SubscriberQueue> EventHub::subscribe(const EventFilter& filter, EventCallback callback) {
    if (!callback) throw Error::invalid("callback", "an event subscription needs a callback");
    auto queue = std::make_shared<SubscriberQueue>(filter, std::move(callback));
    queue->start();
    std::lock_guard lock(mutex_);
    subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                      [](const auto& w) { auto s = w.lock(); return !s || s->stopped(); }),
                       subscribers_.end());
    subscribers_.push_back(queue);
    count_ = subscribers_.size();
    return queue;
}

std::vector<std::shared_ptr<SubscriberQueue>> EventHub::live() const {
    std::vector<std::shared_ptr<SubscriberQueue>> out;
    std::lock_guard lock(mutex_);
    for (const auto& w : subscribers_) {
        if (auto s = w.lock(); s && !s->stopped()) out.push_back(std::move(s));
    }
    return out;
}

bool EventHub::wanted(const std::string& type, const std::string& project, log::Level level) const {
    if (count_ == 0) return false;
    for (const auto& s : live()) {
        if (s->wants(type, project, level)) return true;
    }
    return false;
}

void EventHub::publish(const std::string& type, const std::string& project, const std::string& metadata_json,
                       log::Level level) {
    if (count_ == 0) return;
    std::string event;
    for (const auto& s : live()) {
        if (!s->wants(type, project, level)) continue;
        if (event.empty()) event = api::event_json(type, now_rfc3339(), project, metadata_json);
        s->push(event);
    }
}

void EventHub::lifecycle(const std::string& project, const std::string& action, const std::string& source,
                         const std::map<std::string, std::string>& context) {
    if (!wanted("lifecycle", project)) return;
    publish("lifecycle", project, api::lifecycle_metadata_json(action, source, context));
}

void EventHub::lifecycle_json(const std::string& project, const std::string& action, const std::string& source,
                              const std::string& context_json) {
    if (!wanted("lifecycle", project)) return;
    publish("lifecycle", project, api::lifecycle_metadata_json_raw(action, source, context_json));
}

std::string api_source(const std::string& collection, const std::string& name, const std::string& project) {
    std::string url = fmt::format("/1.0/{}/{}", collection, name);
    if (project != "default") url += "?project=" + project;
    return url;
}

}  // namespace li
