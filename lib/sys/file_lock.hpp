#pragma once
// li::FileLock: an exclusive flock(2) on a lock file, held for the object's life. flock locks
// belong to the open file, so two threads of one process exclude each other just as two processes
// do (fcntl record locks would let a second thread of the holder's process straight in).

#include <filesystem>
#include <functional>

#include "sys/unique_fd.hpp"

namespace li {

class FileLock {
public:
    /// Creates `path` if needed and waits for the lock. While another holder has it, `waiting`
    /// runs every 100 ms; it may throw (a cancelled operation) to give up waiting.
    explicit FileLock(const std::filesystem::path& path, const std::function<void()>& waiting = {});

private:
    UniqueFd fd_;
};

}  // namespace li
