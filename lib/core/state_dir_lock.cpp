#include "core/state_dir_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <string>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li {

namespace {

// A classic POSIX record lock belongs to the process and is not inherited by fork() children,
// so a child forked by another thread (lxc, dnsmasq, mkfs) cannot keep the directory locked
// after its Manager closes — an open-file-description lock could. Record locks do not conflict
// within one process, so the directories this process holds are tracked here as well.
std::mutex held_mutex;
std::set<std::string> held_dirs;

std::string lock_key(const std::filesystem::path& dir) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(dir, ec);
    return (ec ? dir : canonical).string();
}

Error busy(const std::filesystem::path& dir, long holder) {
    return Error(ErrorCode::Busy, fmt::format("state directory {} is in use (locked by pid {})", dir.string(), holder),
                 "state_dir");
}

}  // namespace

StateDirLock::StateDirLock(const std::filesystem::path& dir) : key_(lock_key(dir)) {
    {
        std::lock_guard guard(held_mutex);
        // Checked before opening the file: closing any descriptor of it would drop our own lock.
        if (!held_dirs.insert(key_).second) throw busy(dir, ::getpid());
    }
    try {
        auto path = dir / ".lock";
        fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (!fd_) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (::fcntl(fd_.get(), F_SETLK, &fl) != 0) {
            if (errno != EAGAIN && errno != EACCES) throw Error::from_errno(fmt::format("locking {}", path.string()), errno);
            struct flock probe {};
            probe.l_type = F_WRLCK;
            probe.l_whence = SEEK_SET;
            long holder = ::fcntl(fd_.get(), F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK ? probe.l_pid : 0;
            throw busy(dir, holder);
        }
        std::string pid = std::to_string(::getpid()) + "\n";
        if (::ftruncate(fd_.get(), 0) == 0) (void)!::pwrite(fd_.get(), pid.data(), pid.size(), 0);
    } catch (...) {
        fd_.reset();
        std::lock_guard guard(held_mutex);
        held_dirs.erase(key_);
        throw;
    }
}

StateDirLock::~StateDirLock() {
    fd_.reset();
    std::lock_guard guard(held_mutex);
    held_dirs.erase(key_);
}

}  // namespace li
