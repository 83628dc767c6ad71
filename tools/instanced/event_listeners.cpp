#include "event_listeners.hpp"

#include <algorithm>

#include "daemon_operations.hpp"
#include "websocket.hpp"

namespace li::daemon {

namespace {
constexpr size_t kMaxQueued = 4096;
}

struct EventListeners::Listener {
    std::shared_ptr<Websocket> ws;
    EventFilter filter;
    std::unique_ptr<Subscription> subscription;
};

void EventListeners::deliver(const std::shared_ptr<Listener>& listener, std::string text) {
    if (listener->ws->queued() >= kMaxQueued) return listener->ws->close();
    listener->ws->send(std::move(text), false);
}

void EventListeners::add(std::shared_ptr<Websocket> ws, const EventFilter& filter) {
    auto listener = std::make_shared<Listener>();
    listener->ws = ws;
    listener->filter = filter;
    std::weak_ptr<Listener> weak = listener;
    listener->subscription = bus_.subscribe(filter, [this, weak](const std::string& event_json) {
        if (auto l = weak.lock()) deliver(l, event_json);
    });
    {
        std::lock_guard lock(mutex_);
        listeners_.push_back(listener);
    }
    // What the client sends is ignored; its close ends the subscription.
    ws->start([](std::string, bool) {},
              [this, weak] {
                  auto l = weak.lock();
                  if (!l) return;
                  {
                      std::lock_guard lock(mutex_);
                      std::erase(listeners_, l);
                  }
                  l->subscription->unsubscribe();
              });
}

void EventListeners::broadcast(const std::string& type, const std::string& project, const nlohmann::json& metadata) {
    std::string text = nlohmann::json{{"type", type}, {"timestamp", rfc3339_now()}, {"project", project},
                                      {"location", "none"}, {"metadata", metadata}}
                           .dump();
    std::vector<std::shared_ptr<Listener>> targets;
    {
        std::lock_guard lock(mutex_);
        for (const auto& l : listeners_) {
            if (!l->filter.types.empty() && !l->filter.types.contains(type)) continue;
            if (!l->filter.all_projects && l->filter.project != project) continue;
            targets.push_back(l);
        }
    }
    for (const auto& l : targets) deliver(l, text);
}

size_t EventListeners::size() {
    std::lock_guard lock(mutex_);
    return listeners_.size();
}

}  // namespace li::daemon
