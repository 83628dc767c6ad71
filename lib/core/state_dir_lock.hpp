#pragma once
// The exclusive lock on a state directory: one Manager at a time, across processes and within one.

#include <filesystem>

#include "sys/file_lock.hpp"

namespace li {

class StateDirLock {
public:
    /// Takes the lock on dir/.lock; Busy (naming the holder's pid) if another Manager has it.
    explicit StateDirLock(const std::filesystem::path& dir);

private:
    static FileLock take(const std::filesystem::path& dir);

    FileLock lock_;
};

}  // namespace li
