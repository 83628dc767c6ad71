#include "sys/unix_socket.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>

#include "libinstance/error.hpp"

namespace li {

UniqueFd connect_unix(const std::filesystem::path& path, bool nonblocking) {
    sockaddr_un addr{};
    const std::string& p = path.native();
    if (p.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return UniqueFd();
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
    if (!fd) throw Error::from_errno("creating a unix socket", errno);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return fd;
    int err = errno;
    fd.reset();
    errno = err;  // the caller's answer, not close()'s
    return UniqueFd();
}

}  // namespace li
