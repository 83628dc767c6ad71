#pragma once
// A one-line progress display for long work, shown only on a terminal (like lxc's ProgressRenderer).

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace li::cli {

/// Shows "<label> (Ns)" on stdout, redrawn every second, until done() or destruction.
/// The library's calls give no progress figures yet, so elapsed time is what it can show.
class ProgressLine {
public:
    ProgressLine(std::string label, bool quiet);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    /// Clears the line and prints msg (nothing when quiet).
    void done(const std::string& msg);

private:
    void stop();

    std::string label_;
    bool quiet_;
    bool active_;
    std::atomic<bool> stop_{false};
    std::thread ticker_;
    size_t last_width_ = 0;
};

}  // namespace li::cli
