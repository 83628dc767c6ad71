#include "core/state_dir_lock.hpp"

#include <fmt/format.h>
#include <string>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li {

FileLock StateDirLock::take(const std::filesystem::path& dir) {
    pid_t holder = 0;
    auto lock = FileLock::try_lock(dir / ".lock", holder);
    if (!lock)
        throw Error(ErrorCode::Busy, fmt::format("state directory {} is in use (locked by pid {})", dir.string(), holder),
                    "state_dir");
    return std::move(*lock);
}

StateDirLock::StateDirLock(const std::filesystem::path& dir) : lock_(take(dir)) {
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock_.fd(), 0) == 0) (void)!::pwrite(lock_.fd(), pid.data(), pid.size(), 0);
}

}  // namespace li
