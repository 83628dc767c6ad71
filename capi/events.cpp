// C ABI: event subscriptions (li_manager_subscribe, li_subscription) and li_manager_set_log.

#include <atomic>
#include <mutex>
#include <string>

#include "capi_internal.hpp"
#include "options.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::has_tag;
using li::capi::out_param;

namespace li::capi {

/// The caller's side of one subscription: the C callback, its payload and the payload's free
/// function, which must run exactly once and only after the last callback has returned.
class EventSink {
public:
    EventSink(li_event_cb cb, void* payload, li_free_cb free_payload)
        : cb_(cb), payload_(payload), free_payload_(free_payload) {}

    EventSink(const EventSink&) = delete;
    EventSink& operator=(const EventSink&) = delete;

    /// Runs on the subscription's delivery thread, one event at a time.
    void deliver(const std::string& event_json) {
        if (ended_.load()) {
            return;  // never call back after li_subscription_free(), whatever is still queued
        }
        {
            // Restored even if a C++ callback throws (the bus catches it and goes on).
            struct Marker {
                const EventSink* outer = t_delivering_;
                explicit Marker(const EventSink* sink) { t_delivering_ = sink; }
                ~Marker() { t_delivering_ = outer; }
            } marker{this};
            cb_(event_json.c_str(), payload_);
        }
        if (free_after_callback_.load()) {
            // The callback ended its own subscription; now that it has returned, the payload
            // is no longer in use.
            release_payload();
        }
    }

    /// True inside this sink's callback, on its delivery thread.
    bool delivering_here() const { return t_delivering_ == this; }

    /// No callback starts after this.
    void stop() { ended_.store(true); }

    /// Called once delivery has stopped: frees the payload now, or after the callback in
    /// progress on this thread has returned.
    void finish(bool from_callback) {
        if (from_callback) {
            free_after_callback_.store(true);
        } else {
            release_payload();
        }
    }

private:
    void release_payload() {
        std::call_once(freed_, [this] {
            if (free_payload_ != nullptr) {
                free_payload_(payload_);
            }
        });
    }

    static thread_local const EventSink* t_delivering_;

    li_event_cb cb_;
    void* payload_;
    li_free_cb free_payload_;
    std::atomic<bool> ended_{false};
    std::atomic<bool> free_after_callback_{false};
    std::once_flag freed_;
};

thread_local const EventSink* EventSink::t_delivering_ = nullptr;

namespace {

/// The bus names the EventFilter field it rejects; C callers know it as the li_subscribe_opts one.
/// Only called from a catch block.
[[noreturn]] void rethrow_with_c_key(const Error& e) {
    if (e.code() == ErrorCode::InvalidArgument) {
        if (e.key() == "types") {
            throw Error(e.code(), e.what(), "opts.types");
        }
        if (e.key() == "level") {
            throw Error(e.code(), e.what(), "opts.log_level");
        }
    }
    throw;  // called from a catch block: the error as it was
}

std::unique_ptr<Subscription> subscribe(Manager& manager, const EventFilter& filter,
                                        std::shared_ptr<EventSink> sink) {
    try {
        // The delivery thread holds the sink, not the handle, which may be freed first.
        return manager.events().subscribe(filter, [sink](const std::string& event_json) {
            auto keep = sink;  // alive to the end of the call even if the bus drops the callback
            keep->deliver(event_json);
        });
    } catch (const Error& e) {
        rethrow_with_c_key(e);
    }
}

}  // namespace

}  // namespace li::capi

extern "C" {

int li_manager_subscribe(li_subscription** out, li_manager* mgr, const li_subscribe_opts* opts,
                         li_event_cb cb, void* payload, li_free_cb free_payload, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        if (cb == nullptr) {
            throw li::Error(li::ErrorCode::InvalidArgument, "cb is NULL", "cb");
        }
        auto filter = li::capi::event_filter(opts);
        auto handle = std::make_unique<li_subscription>();
        handle->sink_ = std::make_shared<li::capi::EventSink>(cb, payload, free_payload);
        handle->subscription_ = li::capi::subscribe(*m.manager_, filter, handle->sink_);
        *out = handle.release();
    });
}

uint64_t li_subscription_dropped(const li_subscription* sub) {
    return has_tag(sub) ? sub->subscription_->dropped() : 0;
}

void li_subscription_free(li_subscription* sub) {
    if (!has_tag(sub)) {
        return;
    }
    auto sink = sub->sink_;
    bool from_callback = sink->delivering_here();
    sink->stop();
    try {
        // Waits for a callback in progress on another thread; from the callback it cannot.
        sub->subscription_->unsubscribe();
    } catch (...) {
        // Nothing to report to in a free; stop() already keeps further callbacks out.
    }
    li::capi::free_handle(sub);
    sink->finish(from_callback);
}

int li_manager_set_log(li_manager* mgr, const char* level, const char* file, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        li::LogOptions o;
        if (level != nullptr) {
            o.level = level;
        }
        o.file = li::capi::or_empty(file);
        m.manager_->set_log(o);
    });
}

}  // extern "C"
