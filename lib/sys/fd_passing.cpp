#include "fd_passing.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace li {

int send_with_fds(int sock, std::string_view text, const int* fds, size_t count, int extra_flags) {
    iovec iov{const_cast<char*>(text.data()), text.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> control(count ? CMSG_SPACE(sizeof(int) * count) : 0);
    if (count) {
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
        std::memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * count);
    }
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL | extra_flags);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno;
    return static_cast<size_t>(n) == text.size() ? 0 : EMSGSIZE;
}

ssize_t receive_with_fds(int sock, std::string& text, size_t max_bytes, std::vector<int>& fds, size_t max_fds,
                         bool* truncated) {
    text.resize(max_bytes);
    iovec iov{text.data(), text.size()};
    std::vector<char> control(CMSG_SPACE(sizeof(int) * max_fds));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (n < 0) return n;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            fds.push_back(fd);
        }
    }
    if (truncated) *truncated = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    return n;
}

}  // namespace li
