#include "sys/file_lock.hpp"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

FileLock::FileLock(const std::filesystem::path& path, const std::function<void()>& waiting)
    : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (!fd_) throw Error::from_errno(fmt::format("opening the lock file {}", path.string()), errno);
    // Polled rather than blocking, so that a cancelled operation stops waiting.
    while (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) throw Error::from_errno(fmt::format("locking {}", path.string()), errno);
        if (waiting) waiting();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace li
