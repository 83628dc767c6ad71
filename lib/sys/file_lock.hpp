#pragma once
// li::FileLock: an exclusive lock on a lock file, against other processes and other threads of
// this one, held for the object's life.
//
// It is a classic POSIX record lock: that belongs to the process and is not inherited by fork()
// children, so a child forked by another thread without exec (lxc's monitor, say) cannot keep it
// after its holder lets go, as it could keep a flock or an open-file-description lock. Record locks
// do not conflict within one process, so the files this process holds are tracked here as well.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>

#include "sys/unique_fd.hpp"

namespace li {

class FileLock {
public:
    /// Creates `path` if needed and waits for the lock. While another holder has it, `waiting`
    /// runs every 100 ms; it may throw (a cancelled operation) to give up waiting.
    explicit FileLock(const std::filesystem::path& path, const std::function<void()>& waiting = {});
    /// One attempt: the lock, or nullopt with `holder` set to the holding process's pid (this
    /// process's own when another of its threads holds it; 0 when unknown).
    static std::optional<FileLock> try_lock(const std::filesystem::path& path, pid_t& holder);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    ~FileLock();

    /// The lock file, open read-write (e.g. to record the holder in it).
    int fd() const { return fd_.get(); }

private:
    FileLock(std::string key, UniqueFd fd) : key_(std::move(key)), fd_(std::move(fd)) {}

    std::string key_;  ///< the file's canonical path, "" once moved from
    UniqueFd fd_;
};

}  // namespace li
