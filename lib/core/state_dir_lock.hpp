#pragma once
// The exclusive lock on a state directory: one Manager (process) at a time.

#include <filesystem>

#include "sys/unique_fd.hpp"

namespace li {

class StateDirLock {
public:
    /// Takes the lock on dir/.lock; Busy (naming the holder's pid) if another process has it.
    explicit StateDirLock(const std::filesystem::path& dir);

private:
    UniqueFd fd_;
};

}  // namespace li
