// Instance: console attach, the console log and the instance's log files.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <csignal>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client/rest_facades.hpp"
#include "client/rest_streams.hpp"
#include "core/event_hub.hpp"
#include "core/manager_core.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr int kRunning = 103;
constexpr const char* kConsoleLog = "console.log";
// Logs are small (liblxc logs warnings only, the console log is capped at 128 KiB); the limit
// only keeps a runaway file from being read into memory whole.
constexpr size_t kMaxLogBytes = 64 << 20;

struct Target {
    InstanceSpec spec;
    InstanceDriver& driver;
};

Target target_of(ManagerCore& core, const std::string& project, const std::string& name) {
    InstanceSpec spec = spec_of(core, load_instance(core, project, name));
    InstanceDriver& driver = core.instance_driver(spec.type);
    return Target{std::move(spec), driver};
}

// A log name is one plain file name: nothing that could reach outside the instance's log folder.
void check_log_name(std::string_view name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
        name.find('\0') != std::string_view::npos)
        throw Error::invalid("name", fmt::format("invalid log file name \"{}\"", name));
}

std::string read_log(const fs::path& file) {
    // O_NOFOLLOW: a log is a regular file written by liblxc, never a link to elsewhere.
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        if (errno == ENOENT) throw Error(ErrorCode::NotFound, fmt::format("log file \"{}\" not found", file.filename().string()), "name");
        throw Error::from_errno(fmt::format("reading {}", file.string()), errno);
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno(fmt::format("reading {}", file.string()), errno);
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > kMaxLogBytes) throw Error(ErrorCode::Internal, fmt::format("{} is larger than {} bytes", file.string(), kMaxLogBytes));
    }
    return out;
}

std::string source_of(const InstanceSpec& spec) { return api_source("instances", spec.name, spec.project); }

}  // namespace

Console::Console(int fd, int keep_fd, int resize_pid) : fd_(fd), keep_fd_(keep_fd), resize_pid_(resize_pid) {}

Console::~Console() { detach(); }

Console::Console(Console&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), keep_fd_(std::exchange(other.keep_fd_, -1)), resize_pid_(std::exchange(other.resize_pid_, -1)) {}

Console& Console::operator=(Console&& other) noexcept {
    if (this != &other) {
        detach();
        fd_ = std::exchange(other.fd_, -1);
        keep_fd_ = std::exchange(other.keep_fd_, -1);
        resize_pid_ = std::exchange(other.resize_pid_, -1);
    }
    return *this;
}

void Console::resize(uint32_t width, uint32_t height) {
    if (fd_ < 0) throw Error(ErrorCode::Conflict, "the console is detached");
    struct winsize ws {};
    ws.ws_col = static_cast<unsigned short>(width);
    ws.ws_row = static_cast<unsigned short>(height);
    if (::ioctl(fd_, TIOCSWINSZ, &ws) != 0) {
        if (errno == ENOTTY) return;  // a VM's serial console (a socket) has no window size
        throw Error::from_errno("resizing the console", errno);
    }
    // liblxc copies the size from this terminal to the container's console when its monitor
    // gets SIGWINCH; the kernel does not send it one (the terminal is not its controlling tty).
    if (resize_pid_ > 0) ::kill(resize_pid_, SIGWINCH);
}

void Console::detach() {
    // Closing liblxc's command socket is what frees the console for the next client.
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    if (keep_fd_ >= 0) ::close(std::exchange(keep_fd_, -1));
}

Console Instance::console(const ConsoleOptions& opts) {
    if (auto rest = core_->rest()) return rest::console(rest, project_, name_, opts);
    Target t = target_of(*core_, project_, name_);
    if (t.driver.status_code(t.spec) != kRunning)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", name_), "name");
    Console console = t.driver.console(t.spec);
    if (opts.width > 0 && opts.height > 0) console.resize(opts.width, opts.height);
    core_->events().lifecycle(project_, "instance-console", source_of(t.spec));
    return console;
}

std::string Instance::console_log() const {
    if (auto rest = core_->rest()) return rest::console_log(rest, project_, name_);
    Target t = target_of(*core_, project_, name_);
    fs::path file = t.driver.log_dir(t.spec) / kConsoleLog;
    std::string text;
    try {
        text = read_log(file);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::NotFound) throw;  // never started: nothing logged yet
    }
    core_->events().lifecycle(project_, "instance-console-retrieved", source_of(t.spec));
    return text;
}

void Instance::clear_console_log() {
    if (auto rest = core_->rest()) {
        rest::clear_console_log(rest, project_, name_);
        return;
    }
    Target t = target_of(*core_, project_, name_);
    fs::path file = t.driver.log_dir(t.spec) / kConsoleLog;
    // Truncated in place: liblxc's monitor keeps the file open (in append mode) while running.
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd && ::ftruncate(fd.get(), 0) != 0) throw Error::from_errno(fmt::format("truncating {}", file.string()), errno);
    if (!fd && errno != ENOENT) throw Error::from_errno(fmt::format("opening {}", file.string()), errno);
    core_->events().lifecycle(project_, "instance-console-reset", source_of(t.spec));
}

std::vector<std::string> Instance::log_files() const {
    if (auto rest = core_->rest()) return rest::log_files(rest, project_, name_);
    Target t = target_of(*core_, project_, name_);
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(t.driver.log_dir(t.spec), ec)) {
        if (entry.is_regular_file(ec) && !entry.is_symlink(ec)) names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string Instance::log_file(std::string_view name) const {
    if (auto rest = core_->rest()) return rest::log_file(rest, project_, name_, name);
    check_log_name(name);
    Target t = target_of(*core_, project_, name_);
    std::string text = read_log(t.driver.log_dir(t.spec) / std::string(name));
    core_->events().lifecycle(project_, "instance-log-retrieved", source_of(t.spec));
    return text;
}

}  // namespace li
