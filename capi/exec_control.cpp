// C ABI: li_exec_control, the handle through which another thread signals a running exec's command.
// The shared state outlives the handle while an exec uses it, so freeing the handle early is safe.

#include "exec_control.hpp"

#include <csignal>
#include <functional>
#include <mutex>

#include "capi_internal.hpp"

namespace li::capi {

struct ExecControlState {
    enum class Phase { Idle, Waiting, Running, Ended };
    std::mutex mutex;
    Phase phase = Phase::Idle;
    std::function<void(int)> send;  // set while Running
};

}  // namespace li::capi

struct li_exec_control {
    static constexpr uint32_t kTag = 0x6c694543;  // "liEC"
    static constexpr const char* kTypeName = "li_exec_control";

    uint32_t tag_ = kTag;
    std::shared_ptr<li::capi::ExecControlState> state_ = std::make_shared<li::capi::ExecControlState>();
};

namespace li::capi {

using Phase = ExecControlState::Phase;

ExecControlUse::ExecControlUse(li_exec_control* control, ExecOptions& opts) {
    if (control == nullptr) return;
    auto state = checked(control, "opts.control").state_;
    {
        std::lock_guard lock(state->mutex);
        if (state->phase == Phase::Waiting || state->phase == Phase::Running)
            throw Error(ErrorCode::Conflict,
                        "opts.control already serves a running exec (one control signals one exec at a time)",
                        "opts.control");
        state->phase = Phase::Waiting;
        state->send = nullptr;
    }
    state_ = state;
    auto earlier = std::move(opts.on_signal_ready);
    opts.on_signal_ready = [state, earlier](std::function<void(int)> send) {
        if (earlier) earlier(send);
        std::lock_guard lock(state->mutex);
        if (state->phase != Phase::Waiting) return;
        state->send = std::move(send);
        state->phase = Phase::Running;
    };
}

ExecControlUse::~ExecControlUse() {
    if (!state_) return;
    std::lock_guard lock(state_->mutex);
    state_->phase = Phase::Ended;
    state_->send = nullptr;
}

}  // namespace li::capi

extern "C" {

li_exec_control* li_exec_control_new(void) {
    try {
        return new li_exec_control();
    } catch (...) {
        return nullptr;
    }
}

int li_exec_control_signal(li_exec_control* control, int sig, li_error** err) {
    return li::capi::boundary(err, [&] {
        auto& state = *li::capi::checked(control, "control").state_;
        if (sig < 1 || sig > SIGRTMAX)
            throw li::Error(li::ErrorCode::InvalidArgument,
                            fmt::format("sig {} is not a signal number (1 to {})", sig, SIGRTMAX), "sig");
        // Sent under the lock, so an exec that ended (and whose pid may be reused) gets nothing.
        std::lock_guard lock(state.mutex);
        switch (state.phase) {
            case li::capi::Phase::Idle:
                throw li::Error(li::ErrorCode::Conflict,
                                "no exec uses this control: pass it in li_exec_opts.control first", "control");
            case li::capi::Phase::Waiting:
                throw li::Error(li::ErrorCode::Conflict,
                                "the exec's command has not started yet: nothing to signal", "control");
            case li::capi::Phase::Ended:
                throw li::Error(li::ErrorCode::Conflict, "the exec's command has ended: nothing to signal",
                                "control");
            case li::capi::Phase::Running:
                state.send(sig);
                break;
        }
    });
}

void li_exec_control_free(li_exec_control* control) {
    li::capi::free_handle(control);
}

}  // extern "C"
