#include "progress.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace li::cli {

ProgressLine::ProgressLine(std::string label, bool quiet)
    : label_(std::move(label)), quiet_(quiet), active_(!quiet && ::isatty(STDOUT_FILENO)) {
    if (!active_) return;
    ticker_ = std::thread([this] {
        auto start = std::chrono::steady_clock::now();
        while (!stop_) {
            auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
            std::string line = fmt::format("{} ({}s)", label_, secs.count());
            last_width_ = line.size();
            std::fputs(("\r" + line).c_str(), stdout);
            std::fflush(stdout);
            for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
}

ProgressLine::~ProgressLine() { stop(); }

void ProgressLine::stop() {
    if (!ticker_.joinable()) return;
    stop_ = true;
    ticker_.join();
    std::fputs(("\r" + std::string(last_width_, ' ') + "\r").c_str(), stdout);
    std::fflush(stdout);
}

void ProgressLine::done(const std::string& msg) {
    stop();
    if (!quiet_ && !msg.empty()) std::fputs((msg + "\n").c_str(), stdout);
}

}  // namespace li::cli
