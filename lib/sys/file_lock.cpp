#include "sys/file_lock.hpp"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <unistd.h>

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

namespace {

std::mutex held_mutex;
std::set<std::string> held_files;  // canonical paths this process holds

std::string lock_key(const std::filesystem::path& path) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(path, ec);
    return (ec ? path : canonical).string();
}

void release(const std::string& key) {
    std::lock_guard guard(held_mutex);
    held_files.erase(key);
}

}  // namespace

std::optional<FileLock> FileLock::try_lock(const std::filesystem::path& path, pid_t& holder) {
    std::string key = lock_key(path);
    {
        std::lock_guard guard(held_mutex);
        // Checked before opening the file: closing any descriptor of it would drop our own lock.
        if (!held_files.insert(key).second) {
            holder = ::getpid();
            return std::nullopt;
        }
    }
    try {
        UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (!fd) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (::fcntl(fd.get(), F_SETLK, &fl) == 0) return FileLock(std::move(key), std::move(fd));
        if (errno != EAGAIN && errno != EACCES) throw Error::from_errno(fmt::format("locking {}", path.string()), errno);
        struct flock probe {};
        probe.l_type = F_WRLCK;
        probe.l_whence = SEEK_SET;
        holder = ::fcntl(fd.get(), F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK ? probe.l_pid : 0;
    } catch (...) {
        release(key);
        throw;
    }
    release(key);
    return std::nullopt;
}

FileLock::FileLock(const std::filesystem::path& path, const std::function<void()>& waiting) {
    // Polled rather than blocking, so that a cancelled operation stops waiting.
    pid_t holder = 0;
    while (true) {
        if (auto lock = try_lock(path, holder)) {
            key_ = std::exchange(lock->key_, {});
            fd_ = std::move(lock->fd_);
            return;
        }
        if (waiting) waiting();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

FileLock::FileLock(FileLock&& other) noexcept : key_(std::exchange(other.key_, {})), fd_(std::move(other.fd_)) {}

FileLock::~FileLock() {
    fd_.reset();
    if (!key_.empty()) release(key_);
}

}  // namespace li
