#include "core/operation_state.hpp"

#include <fmt/format.h>

#include "core/clock.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {
void set_status(api::Operation& op, int code) {
    op.status_code = code;
    op.status = std::string(api::operation_status_name(code));
    op.updated_at = now_rfc3339();
}
}  // namespace

OperationState::OperationState(api::Operation initial, Listener listener)
    : id_(initial.id), op_(std::move(initial)), listener_(std::move(listener)) {}

api::Operation OperationState::snapshot() const {
    std::lock_guard lock(mutex_);
    return op_;
}

void OperationState::changed(std::unique_lock<std::mutex>& lock) {
    api::Operation copy = op_;
    lock.unlock();
    if (listener_) listener_(copy);
}

void OperationState::set_running() {
    std::unique_lock lock(mutex_);
    set_status(op_, 103);
    changed(lock);
}

void OperationState::set_metadata(const std::string& key, const std::string& value) {
    std::unique_lock lock(mutex_);
    auto it = op_.metadata.find(key);
    if (it != op_.metadata.end() && it->second == value) return;
    op_.metadata[key] = value;
    op_.updated_at = now_rfc3339();
    changed(lock);
}

void OperationState::add_resource(const std::string& kind, const std::string& url) {
    std::lock_guard lock(mutex_);
    op_.resources[kind].push_back(url);
}

void OperationState::finish_success() {
    std::unique_lock lock(mutex_);
    set_status(op_, 200);
    op_.may_cancel = false;
    done_ = true;
    finished_at_ = std::chrono::steady_clock::now();
    cv_.notify_all();
    changed(lock);
}

void OperationState::finish_failure(std::exception_ptr error) {
    std::unique_lock lock(mutex_);
    int code = 400;
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled) code = 401;
        op_.err = e.what();
    } catch (const std::exception& e) {
        op_.err = e.what();
        error = std::make_exception_ptr(Error(ErrorCode::Internal, e.what()));
    } catch (...) {
        op_.err = "unknown failure";
        error = std::make_exception_ptr(Error(ErrorCode::Internal, "unknown failure"));
    }
    error_ = error;
    set_status(op_, code);
    op_.may_cancel = false;
    done_ = true;
    finished_at_ = std::chrono::steady_clock::now();
    cv_.notify_all();
    changed(lock);
}

bool OperationState::wait(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    // Negative or absurdly long timeouts wait for ever (a huge one would overflow the deadline).
    if (timeout.count() < 0 || timeout > std::chrono::hours(24 * 365 * 30)) {
        cv_.wait(lock, [&] { return done_; });
        return true;
    }
    return cv_.wait_for(lock, timeout, [&] { return done_; });
}

void OperationState::get() const {
    wait(std::chrono::milliseconds(-1));
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
}

void OperationState::cancel() {
    std::unique_lock lock(mutex_);
    if (done_) return;
    if (!op_.may_cancel)
        throw Error(ErrorCode::NotSupported, fmt::format("operation {} ({}) cannot be cancelled", id_, op_.description));
    stop_.request_stop();
    set_status(op_, 104);
    changed(lock);
}

bool OperationState::done() const {
    std::lock_guard lock(mutex_);
    return done_;
}

std::chrono::steady_clock::time_point OperationState::finished_at() const {
    std::lock_guard lock(mutex_);
    return finished_at_;
}

void OperationContext::progress(const std::string& key, const std::string& label, int percent) {
    if (!state_) return;
    percent = std::clamp(percent, 0, 100);
    // Percentages only go up, and an unchanged one is not reported again.
    if (key == last_key_ && percent <= last_percent_) return;
    last_key_ = key;
    last_percent_ = percent;
    state_->set_metadata(key, fmt::format("{}: {}%", label, percent));
}

void OperationContext::set_metadata(const std::string& key, const std::string& value) {
    if (state_) state_->set_metadata(key, value);
}

void OperationContext::check_cancelled() const {
    if (cancelled()) throw Error(ErrorCode::Cancelled, "operation cancelled");
}

}  // namespace li
