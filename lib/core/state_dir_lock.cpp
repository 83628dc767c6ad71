#include "core/state_dir_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li {

StateDirLock::StateDirLock(const std::filesystem::path& dir) {
    auto path = dir / ".lock";
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
    // An OFD lock belongs to this open file, so a second open in the same process conflicts too.
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd_.get(), F_OFD_SETLK, &fl) != 0) {
        if (errno != EAGAIN && errno != EACCES) throw Error::from_errno(fmt::format("locking {}", path.string()), errno);
        char buf[32] = {};
        ssize_t n = ::pread(fd_.get(), buf, sizeof buf - 1, 0);
        std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        throw Error(ErrorCode::Busy, fmt::format("state directory {} is in use (locked by pid {})", dir.string(), holder),
                    "state_dir");
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_.get(), 0) == 0) (void)!::pwrite(fd_.get(), pid.data(), pid.size(), 0);
}

}  // namespace li
