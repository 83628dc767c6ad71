#pragma once
// Ctrl-C as a request rather than a kill, while the process has work it must be able to undo.

#include <csignal>

namespace li::cli {

/// While alive, SIGINT (and SIGTERM) only counts; the waiting code polls count() and decides
/// what to do (cancel the operation, stop monitoring). The previous handlers come back on
/// destruction, so outside such waits Ctrl-C ends the process as usual. Guards nest.
/// The handler only bumps a counter: library calls are not async-signal-safe, so cancelling is
/// done by the waiting thread, not in the handler.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    /// Signals received since this process started counting (monotonic).
    static int count();

private:
    struct sigaction old_int_{};
    struct sigaction old_term_{};
};

}  // namespace li::cli
