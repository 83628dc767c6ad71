#include "core/operations.hpp"

#include <fmt/format.h>
#include <random>
#include <thread>

#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "libinstance/error.hpp"

namespace li {

std::string random_uuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                       lo & 0xffffffffffffULL);
}

OperationRegistry::OperationRegistry(std::shared_ptr<EventHub> events) : events_(std::move(events)) {}

Operation OperationRegistry::run(const OperationSpec& spec, std::function<void(OperationContext&)> work, bool async,
                                 std::shared_ptr<void> keepalive) {
    api::Operation initial;
    initial.id = random_uuid();
    initial.description = spec.description;
    initial.project = spec.project;
    initial.resources = spec.resources;
    initial.may_cancel = spec.may_cancel;
    initial.created_at = initial.updated_at = now_rfc3339();
    std::string project = spec.project;
    // The listener owns a reference to the hub, so an operation may finish after its manager is gone.
    std::shared_ptr<EventHub> events = events_;
    auto state = std::make_shared<OperationState>(initial, [events, project](const api::Operation& op) {
        if (events->wanted("operation", project)) events->publish("operation", project, api::to_json(op));
    });
    {
        std::lock_guard lock(mutex_);
        prune();
        ops_.push_back(state);
    }
    if (events->wanted("operation", project)) events->publish("operation", project, api::to_json(initial));

    auto body = [state, project](std::function<void(OperationContext&)> work, std::shared_ptr<void> keepalive) {
        state->set_running();
        OperationContext ctx(state.get());
        std::exception_ptr failure;
        try {
            work(ctx);
        } catch (...) {
            failure = std::current_exception();
        }
        log::debug("operation ended", {{"operation", state->id()}, {"project", project},
                                       {"result", failure ? "failure" : "success"}});
        // Let go of the manager before waking waiters: one that closes and reopens the state
        // directory right away must not find it still locked by this thread.
        work = nullptr;
        keepalive.reset();
        if (failure) state->finish_failure(failure);
        else state->finish_success();
    };
    if (async) {
        std::thread(body, std::move(work), std::move(keepalive)).detach();
    } else {
        body(std::move(work), nullptr);
    }
    return Operation(state);
}

void OperationRegistry::prune() {
    auto now = std::chrono::steady_clock::now();
    std::erase_if(ops_, [&](const auto& op) { return op->done() && now - op->finished_at() > retention_; });
}

std::vector<api::Operation> OperationRegistry::list() {
    std::lock_guard lock(mutex_);
    prune();
    std::vector<api::Operation> out;
    for (const auto& op : ops_) out.push_back(op->snapshot());
    return out;
}

Operation OperationRegistry::get(const std::string& id) {
    std::lock_guard lock(mutex_);
    prune();
    for (const auto& op : ops_) {
        if (op->id() == id) return Operation(op);
    }
    throw Error(ErrorCode::NotFound, fmt::format("operation \"{}\" not found", id), "id");
}

void OperationRegistry::set_retention(std::chrono::seconds retention) {
    std::lock_guard lock(mutex_);
    retention_ = retention;
    prune();
}

}  // namespace li
