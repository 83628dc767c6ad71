#pragma once
// The exclusive lock on a state directory: one Manager at a time, across processes and within one.

#include <filesystem>
#include <string>

#include "sys/unique_fd.hpp"

namespace li {

class StateDirLock {
public:
    /// Takes the lock on dir/.lock; Busy (naming the holder's pid) if another Manager has it.
    explicit StateDirLock(const std::filesystem::path& dir);
    ~StateDirLock();
    StateDirLock(const StateDirLock&) = delete;
    StateDirLock& operator=(const StateDirLock&) = delete;

private:
    std::string key_;
    UniqueFd fd_;
};

}  // namespace li
