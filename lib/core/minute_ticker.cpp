#include "core/minute_ticker.hpp"

#include <condition_variable>
#include <mutex>

namespace li {

using Clock = std::chrono::system_clock;

struct MinuteTicker::State {
    std::mutex mutex;
    std::condition_variable wake;
    bool stop = false;
    Tick tick;
};

Clock::time_point MinuteTicker::next_wake(Clock::time_point now, std::chrono::milliseconds offset) {
    auto minute = std::chrono::floor<std::chrono::minutes>(now - offset);
    return minute + std::chrono::minutes(1) + offset;
}

MinuteTicker::MinuteTicker(Tick tick, std::chrono::milliseconds offset) : state_(std::make_shared<State>()) {
    state_->tick = std::move(tick);
    thread_ = std::thread([state = state_, offset] {
        while (true) {
            {
                std::unique_lock lock(state->mutex);
                // Waits for the wall clock (a clock step moves the wake-up with it), a stop, or
                // a spurious wake-up that simply waits again.
                auto at = next_wake(Clock::now(), offset);
                if (state->wake.wait_until(lock, at, [&] { return state->stop; })) return;
            }
            state->tick(Clock::now());
        }
    });
}

MinuteTicker::~MinuteTicker() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stop = true;
    }
    state_->wake.notify_all();
    if (thread_.get_id() == std::this_thread::get_id())
        thread_.detach();
    else
        thread_.join();
}

}  // namespace li
