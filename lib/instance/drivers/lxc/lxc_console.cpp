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
#include "sys/fd_passing.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace {

// Receives the helper's one message and the descriptors it carries.
std::string receive_reply(int sock, std::vector<UniqueFd>& fds) {
    std::string text;
    std::vector<int> received;
    if (receive_with_fds(sock, text, 511, received, 4) < 0)
        throw Error::from_errno("reading the console helper's reply", errno);
    for (int fd : received) fds.emplace_back(fd);
    return text;
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
        reply = receive_reply(mine.get(), fds);
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
