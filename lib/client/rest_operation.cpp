#include "client/rest_operation.hpp"

#include <fmt/format.h>
#include <atomic>
#include <thread>

#include "api/response_json.hpp"
#include "core/operation_state.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

namespace {

std::string operation_id(const RestResponse& response) {
    std::string id = response.metadata.is_object() ? response.metadata.value("id", "") : "";
    if (id.empty()) id = response.operation.substr(response.operation.rfind('/') + 1);
    if (id.empty()) throw Error(ErrorCode::Backend, "the server answered an async request without an operation");
    return id;
}

// Copies what changed remotely into the local state; true once the remote operation ended.
bool apply(OperationState& state, const api::Operation& remote) {
    for (const auto& [key, value] : remote.metadata) state.set_metadata(key, value);
    switch (remote.status_code) {
        case 200: state.finish_success(); return true;
        case 400:
            state.finish_failure(std::make_exception_ptr(Error(ErrorCode::Backend, remote.err.empty() ? "the operation failed" : remote.err)));
            return true;
        case 401:
            state.finish_failure(std::make_exception_ptr(Error(ErrorCode::Cancelled, remote.err.empty() ? "the operation was cancelled" : remote.err)));
            return true;
        case 103: state.set_running(); return false;
        default: return false;
    }
}

void watch(std::weak_ptr<OperationState> weak, std::shared_ptr<RestTransport> transport, std::string id) {
    bool cancel_sent = false;
    for (;;) {
        auto state = weak.lock();
        if (!state || state->done()) return;  // nobody waits for it any more
        try {
            if (!cancel_sent && state->stop_token().stop_requested()) {
                cancel_sent = true;
                transport->request("DELETE", "/1.0/operations/" + id);
            }
            auto response = transport->get("/1.0/operations/" + id + "/wait?timeout=1");
            if (apply(*state, operation_from_json(response.metadata))) return;
        } catch (const Error& e) {
            // The server forgot it, or the connection is gone: the local operation fails with why.
            if (cancel_sent && e.code() == ErrorCode::NotFound) {
                state->finish_failure(std::make_exception_ptr(Error(ErrorCode::Cancelled, "the operation was cancelled")));
                return;
            }
            state->finish_failure(std::current_exception());
            return;
        }
    }
}

}  // namespace

Operation follow_operation(const std::shared_ptr<RestTransport>& transport, const RestResponse& response,
                           const std::map<std::string, std::string>& known) {
    std::string id = operation_id(response);
    api::Operation initial = operation_from_json(response.metadata);
    initial.id = id;
    int code = initial.status_code;
    initial.status_code = 105;
    initial.status = "Pending";
    auto state = std::make_shared<OperationState>(initial, nullptr);
    for (const auto& [key, value] : known) state->set_metadata(key, value);
    api::Operation remote = operation_from_json(response.metadata);
    remote.status_code = code;
    if (apply(*state, remote)) return Operation(state);  // already over
    // A connection of its own: a one-second wait must not hold other requests up.
    std::thread(watch, std::weak_ptr<OperationState>(state), transport->clone(), id).detach();
    return Operation(state);
}

Operation operation_of(const std::shared_ptr<RestTransport>& transport, const RestResponse& response, const char* description,
                       const std::map<std::string, std::string>& known) {
    if (response.type == "async") return follow_operation(transport, response, known);
    api::Operation done;
    static std::atomic<uint64_t> counter{0};
    done.id = fmt::format("sync-{}", ++counter);
    done.description = description;
    auto state = std::make_shared<OperationState>(done, nullptr);
    for (const auto& [key, value] : known) state->set_metadata(key, value);
    state->finish_success();
    return Operation(state);
}

}  // namespace li::rest

namespace li::rest {

Operation local_operation(const char* description, std::function<void()> work) {
    return local_operation_with_metadata(description, [work = std::move(work)] {
        work();
        return std::map<std::string, std::string>{};
    });
}

Operation local_operation_with_metadata(const char* description, std::function<std::map<std::string, std::string>()> work) {
    static std::atomic<uint64_t> counter{0};
    api::Operation initial;
    initial.id = fmt::format("client-{}", ++counter);
    initial.description = description;
    auto state = std::make_shared<OperationState>(initial, nullptr);
    state->set_running();
    std::thread([state, work = std::move(work)] {
        try {
            for (const auto& [key, value] : work()) state->set_metadata(key, value);
            state->finish_success();
        } catch (...) {
            state->finish_failure(std::current_exception());
        }
    }).detach();
    return Operation(state);
}

}  // namespace li::rest
