#pragma once
// The shared state of one operation: status, progress metadata, cancellation, completion.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>

#include "libinstance/api/operation.hpp"

namespace li {

class OperationState {
public:
    using Listener = std::function<void(const api::Operation&)>;

    /// `listener` sees every change (it publishes operation events); it runs without the lock held.
    OperationState(api::Operation initial, Listener listener);

    const std::string& id() const { return id_; }
    api::Operation snapshot() const;
    std::stop_token stop_token() const { return stop_.get_token(); }

    void set_running();
    /// Sets a metadata entry (e.g. a progress string) and reports the change when it differs.
    void set_metadata(const std::string& key, const std::string& value);
    void add_resource(const std::string& kind, const std::string& url);
    void finish_success();
    /// Ends with the exception thrown by the work: Cancelled errors end the operation Cancelled.
    void finish_failure(std::exception_ptr error);

    bool wait(std::chrono::milliseconds timeout) const;
    /// Waits, then rethrows the failure.
    void get() const;
    /// Requests cancellation; NotSupported when the operation cannot be cancelled.
    void cancel();
    bool done() const;
    std::chrono::steady_clock::time_point finished_at() const;

private:
    void changed(std::unique_lock<std::mutex>& lock);

    const std::string id_;
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    api::Operation op_;
    std::stop_source stop_;
    std::exception_ptr error_;
    bool done_ = false;
    std::chrono::steady_clock::time_point finished_at_{};
    Listener listener_;
};

/// What long work gets: progress reporting and cancellation checks. A null state (work run
/// outside any operation) makes both no-ops.
class OperationContext {
public:
    explicit OperationContext(OperationState* state = nullptr) : state_(state) {}

    /// Reports progress under `key` (LXD's *_progress metadata) as "Label: N%".
    void progress(const std::string& key, const std::string& label, int percent);
    void set_metadata(const std::string& key, const std::string& value);
    bool cancelled() const { return state_ && state_->stop_token().stop_requested(); }
    /// Throws Error(Cancelled) when cancellation was requested.
    void check_cancelled() const;
    std::stop_token stop_token() const { return state_ ? state_->stop_token() : std::stop_token(); }

private:
    OperationState* state_;
    std::string last_key_;
    int last_percent_ = -1;
};

}  // namespace li
