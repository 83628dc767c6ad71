#pragma once
// lxc's ProgressRenderer: a one-line status redrawn in place on a terminal and cleared at the end.

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace li::cli {

/// Draws "<prefix><status>" on stdout, in place; only on a terminal and when not quiet, so pipes
/// and files get no carriage returns. Thread-safe: operation events arrive on a library thread.
class ProgressRenderer {
public:
    /// prefix goes in front of every status, e.g. "Retrieving image: " (lxc's Format).
    /// bars=false draws nothing but still prints done()'s message (unless quiet).
    ProgressRenderer(std::string prefix, bool quiet, bool bars = true);
    ~ProgressRenderer();
    ProgressRenderer(const ProgressRenderer&) = delete;
    ProgressRenderer& operator=(const ProgressRenderer&) = delete;

    /// Whether updates are drawn at all (callers need not watch progress otherwise).
    bool drawing() const { return drawing_; }
    /// Redraws the line with a new status.
    void update(const std::string& status);
    /// Shows the first "*_progress" value of an operation's metadata, as lxc's UpdateOp does.
    void update_op(const std::map<std::string, std::string>& metadata);
    /// Shows msg in place of the status for a few seconds (a line on stderr when not drawing).
    void warn(const std::string& msg);
    /// Clears the line, then prints msg and a newline (msg may be empty; nothing when quiet).
    /// Later updates are ignored.
    void done(const std::string& msg);

private:
    void draw(const std::string& text);  // with mutex_ held

    std::mutex mutex_;
    std::string prefix_;
    bool quiet_;
    bool drawing_;
    bool done_ = false;
    size_t max_width_ = 0;  // the widest line drawn, to blank it out
    std::chrono::steady_clock::time_point hold_until_{};
};

}  // namespace li::cli
