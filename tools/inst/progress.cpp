#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <sys/ioctl.h>
#include <unistd.h>

namespace li::cli {

namespace {

constexpr auto warn_hold = std::chrono::seconds(5);  // lxc keeps a warning up this long

// Lines longer than the terminal would wrap, and "\r" could then no longer redraw them.
std::string fit_terminal(std::string text) {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && text.size() >= ws.ws_col)
        text.resize(ws.ws_col - 1);
    return text;
}

}  // namespace

ProgressRenderer::ProgressRenderer(std::string prefix, bool quiet, bool bars)
    : prefix_(std::move(prefix)), quiet_(quiet), drawing_(!quiet && bars && ::isatty(STDOUT_FILENO)) {}

ProgressRenderer::~ProgressRenderer() {
    // An error unwound past the command: leave a clean line for the error message.
    std::lock_guard lock(mutex_);
    if (drawing_ && !done_ && max_width_ > 0) {
        std::fputs(("\r" + std::string(max_width_, ' ') + "\r").c_str(), stdout);
        std::fflush(stdout);
    }
}

void ProgressRenderer::draw(const std::string& text) {
    std::string line = fit_terminal(text);
    std::string out;
    if (line.size() < max_width_) out = "\r" + std::string(max_width_, ' ');
    max_width_ = std::max(max_width_, line.size());
    out += "\r" + line;
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

void ProgressRenderer::update(const std::string& status) {
    std::lock_guard lock(mutex_);
    if (!drawing_ || done_ || std::chrono::steady_clock::now() < hold_until_) return;
    draw(prefix_ + status);
}

void ProgressRenderer::update_op(const std::map<std::string, std::string>& metadata) {
    for (const auto& [key, value] : metadata) {
        if (key.ends_with("_progress")) {
            update(value);
            return;
        }
    }
}

void ProgressRenderer::warn(const std::string& msg) {
    std::lock_guard lock(mutex_);
    if (done_) return;
    if (!drawing_) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", msg.c_str());
        return;
    }
    hold_until_ = std::chrono::steady_clock::now() + warn_hold;
    draw(msg);
}

void ProgressRenderer::done(const std::string& msg) {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
    if (quiet_) return;
    std::string out;
    if (drawing_ && max_width_ > 0) out = "\r" + std::string(max_width_, ' ') + "\r";
    if (!msg.empty()) out += msg + "\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

}  // namespace li::cli
