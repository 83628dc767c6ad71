#include "instance/drivers/lxc/lxc_console.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/socket.h>
#include <vector>

#include "libinstance/error.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace {

// Receives the helper's one message and the descriptors it carries.
std::string receive_with_fds(int sock, std::vector<UniqueFd>& fds) {
    char text[512];
    iovec iov{text, sizeof text - 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw Error::from_errno("reading the console helper's reply", errno);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            fds.emplace_back(fd);
        }
    }
    return std::string(text, static_cast<size_t>(n));
}

// The parent of pid from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces), or -1.
pid_t parent_pid(pid_t pid) {
    if (pid <= 0) return -1;
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    pid_t ppid = -1;
    rest >> state >> ppid;
    return ppid > 1 ? ppid : -1;
}

}  // namespace

Console lxc_console_attach(const std::filesystem::path& helper, const std::filesystem::path& lxcpath,
                           const std::string& lxc_name, pid_t init_pid) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        throw Error::from_errno("creating the console socket", errno);
    UniqueFd mine(pair[0]), theirs(pair[1]);
    Child child = spawn(SpawnSpec{{helper.string(), "console", lxcpath.string(), lxc_name}, {-1, -1, -1, theirs.get()}, {}, true});
    theirs.reset();
    std::vector<UniqueFd> fds;
    std::string reply;
    try {
        reply = receive_with_fds(mine.get(), fds);
    } catch (...) {
        child.wait();
        throw;
    }
    child.wait();
    if (reply == "ok" && fds.size() == 2) return Console(fds[0].release(), fds[1].release(), parent_pid(init_pid));
    if (reply.rfind("error ", 0) == 0) {
        std::string message = reply.substr(6);
        ErrorCode code = message.find("not running") != std::string::npos ? ErrorCode::Conflict : ErrorCode::Busy;
        throw Error(code, "attaching to the console: " + message);
    }
    throw Error(ErrorCode::Backend, "attaching to the console: the helper ended without a reply");
}

}  // namespace li
