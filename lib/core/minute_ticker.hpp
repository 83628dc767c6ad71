#pragma once
// A thread that calls a function just after each wall-clock minute begins, until it is destroyed.

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace li {

class MinuteTicker {
public:
    using Tick = std::function<void(std::chrono::system_clock::time_point now)>;

    /// Starts the thread: tick(now) runs at each minute boundary plus `offset` (so that a clock
    /// read in tick is safely inside the new minute). tick must not throw.
    explicit MinuteTicker(Tick tick, std::chrono::milliseconds offset = std::chrono::seconds(1));
    /// Wakes the thread and waits for it (at most the tick running now), or lets it finish on its
    /// own when destroyed from within tick.
    ~MinuteTicker();

    MinuteTicker(const MinuteTicker&) = delete;
    MinuteTicker& operator=(const MinuteTicker&) = delete;

    /// The first instant of the minute after `now`, plus offset.
    static std::chrono::system_clock::time_point next_wake(std::chrono::system_clock::time_point now,
                                                           std::chrono::milliseconds offset);

private:
    struct State;
    // Shared with the thread, which may outlive this object when it destroys it from tick.
    std::shared_ptr<State> state_;
    std::thread thread_;
};

}  // namespace li
