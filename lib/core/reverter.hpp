#pragma once
// li::Reverter: undo steps for multi-step work, run in reverse unless success() is called.

#include <functional>
#include <vector>

namespace li {

class Reverter {
public:
    Reverter() = default;
    Reverter(const Reverter&) = delete;
    Reverter& operator=(const Reverter&) = delete;
    ~Reverter() { revert(); }

    /// Registers an undo step; undo steps must not throw (exceptions are swallowed).
    void add(std::function<void()> undo) { steps_.push_back(std::move(undo)); }
    /// Keeps the work: the undo steps are dropped.
    void success() { steps_.clear(); }
    /// Runs the undo steps now, newest first.
    void revert() noexcept {
        while (!steps_.empty()) {
            auto step = std::move(steps_.back());
            steps_.pop_back();
            try {
                step();
            } catch (...) {
                // Best effort: one failed undo must not stop the others.
            }
        }
    }

private:
    std::vector<std::function<void()>> steps_;
};

}  // namespace li
