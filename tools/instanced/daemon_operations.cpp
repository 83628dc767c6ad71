#include "daemon_operations.hpp"

#include <ctime>
#include <fmt/format.h>
#include <random>
#include <thread>

#include "event_listeners.hpp"
#include "libinstance/api/operation.hpp"
#include "libinstance/error.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string random_uuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t a = rng(), b = rng();
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff, b >> 48,
                       b & 0xffffffffffffULL);
}

// Finished operations stay readable this long: clients fetch them once after their event.
constexpr auto kRetention = std::chrono::seconds(300);

}  // namespace

std::string rfc3339_now() {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1000000000;
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:09d}Z", buf, nanos);
}

DaemonOperation::DaemonOperation(std::string id, DaemonOperationSpec spec, EventListeners& events)
    : id_(std::move(id)), spec_(std::move(spec)), events_(events), created_at_(rfc3339_now()), updated_at_(created_at_) {}

json DaemonOperation::document() const {
    std::lock_guard lock(mutex_);
    return json{{"id", id_},
                {"class", spec_.class_},
                {"description", spec_.description},
                {"created_at", created_at_},
                {"updated_at", updated_at_},
                {"status", api::operation_status_name(status_code_)},
                {"status_code", status_code_},
                {"resources", spec_.resources},
                {"metadata", spec_.metadata},
                {"may_cancel", spec_.may_cancel},
                {"err", err_},
                {"location", "none"}};
}

int DaemonOperation::status_code() const {
    std::lock_guard lock(mutex_);
    return status_code_;
}

bool DaemonOperation::done() const { return status_code() >= 200; }

bool DaemonOperation::wait(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    auto ended = [this] { return status_code_ >= 200; };
    if (timeout.count() < 0) {
        cv_.wait(lock, ended);
        return true;
    }
    return cv_.wait_for(lock, timeout, ended);
}

void DaemonOperation::changed(std::unique_lock<std::mutex>& lock) {
    updated_at_ = rfc3339_now();
    if (status_code_ >= 200) ended_ = std::chrono::steady_clock::now();
    lock.unlock();
    // The event carries the whole operation: the final one replaces the client's copy.
    events_.broadcast("operation", spec_.project, document());
    cv_.notify_all();
}

void DaemonOperation::set_running() {
    std::unique_lock lock(mutex_);
    status_code_ = 103;
    changed(lock);
}

void DaemonOperation::set_metadata(const std::string& key, json value) {
    std::unique_lock lock(mutex_);
    if (!spec_.metadata.is_object()) spec_.metadata = json::object();
    spec_.metadata[key] = std::move(value);
    changed(lock);
}

void DaemonOperation::finish(const std::string& err) {
    std::unique_lock lock(mutex_);
    if (status_code_ >= 200) return;
    status_code_ = err.empty() ? 200 : 400;
    err_ = err;
    cancel_ = nullptr;
    websocket_connect_ = nullptr;  // it may hold what holds this operation
    changed(lock);
}

void DaemonOperation::finish_cancelled() {
    std::unique_lock lock(mutex_);
    if (status_code_ >= 200) return;
    status_code_ = 401;
    err_ = "operation was cancelled";
    cancel_ = nullptr;
    websocket_connect_ = nullptr;
    changed(lock);
}

void DaemonOperation::on_cancel(std::function<void()> fn) {
    std::lock_guard lock(mutex_);
    cancel_ = std::move(fn);
    spec_.may_cancel = static_cast<bool>(cancel_);
}

void DaemonOperation::cancel() {
    std::function<void()> fn;
    {
        std::lock_guard lock(mutex_);
        if (status_code_ >= 200) return;
        if (!cancel_) throw Error(ErrorCode::NotSupported, "this operation cannot be cancelled");
        fn = cancel_;
    }
    fn();
}

void DaemonOperation::set_websocket_connect(WebsocketConnect fn) {
    std::lock_guard lock(mutex_);
    websocket_connect_ = std::move(fn);
}

std::function<void(std::shared_ptr<Websocket>)> DaemonOperation::connect_websocket(const std::string& secret) {
    WebsocketConnect fn;
    {
        std::lock_guard lock(mutex_);
        if (status_code_ >= 200) return nullptr;
        fn = websocket_connect_;
    }
    return fn ? fn(secret) : nullptr;
}

std::shared_ptr<DaemonOperation> DaemonOperations::create(DaemonOperationSpec spec) {
    auto op = std::make_shared<DaemonOperation>(random_uuid(), std::move(spec), events_);
    {
        std::lock_guard lock(mutex_);
        prune();
        ops_.push_back(op);
    }
    events_.broadcast("operation", op->project(), op->document());
    return op;
}

std::shared_ptr<DaemonOperation> DaemonOperations::run(DaemonOperationSpec spec, std::function<json()> work) {
    auto op = create(std::move(spec));
    op->set_running();
    std::thread([op, work = std::move(work)] {
        try {
            json metadata = work();
            if (!metadata.is_null())
                for (auto& [key, value] : metadata.items()) op->set_metadata(key, value);
            op->finish();
        } catch (const std::exception& e) {
            op->finish(e.what());
        }
    }).detach();
    return op;
}

std::shared_ptr<DaemonOperation> DaemonOperations::get(const std::string& id) {
    std::lock_guard lock(mutex_);
    prune();
    for (const auto& op : ops_)
        if (op->id() == id) return op;
    return nullptr;
}

std::vector<std::shared_ptr<DaemonOperation>> DaemonOperations::list() {
    std::lock_guard lock(mutex_);
    prune();
    return ops_;
}

void DaemonOperations::prune() {
    auto now = std::chrono::steady_clock::now();
    std::erase_if(ops_, [&](const std::shared_ptr<DaemonOperation>& op) {
        std::lock_guard lock(op->mutex_);
        return op->status_code_ >= 200 && now - op->ended_ > kRetention;
    });
}

}  // namespace li::daemon
