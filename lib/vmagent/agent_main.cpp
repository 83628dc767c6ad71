// libinstance-vm-agent: runs in a VM guest and serves the host's exec and file calls over one
// virtio-serial port (ADR 0015, protocol in protocol.hpp).
//
//   libinstance-vm-agent --port-name org.libinstance.agent.0   the guest: the port whose
//                           /sys/class/virtio-ports/*/name matches, opened as /dev/<vportNpM>
//   libinstance-vm-agent --path PATH   an existing non-socket file (a char device) is opened like
//                           the port; otherwise a unix socket is listened on at PATH, one client at
//                           a time, as QEMU does on the host side (how the tests run it)
//   libinstance-vm-agent --fd N        a connected stream; the agent exits when it ends
//
// A virtio port outlives host connections: while no host is connected the guest sees POLLHUP, so
// the agent then checks again every 20 ms and, once a host is back, waits for its hello.

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "vmagent/agent.hpp"

namespace {

using namespace vmagent;

enum class Mode { Port, Listen, Fd };

std::string find_port(const std::string& name) {
    DIR* dir = ::opendir("/sys/class/virtio-ports");
    if (!dir) return {};
    std::string found;
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        // (No iostreams: they would double the static binary's size.)
        int fd = ::open((std::string("/sys/class/virtio-ports/") + e->d_name + "/name").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        char text[256];
        ssize_t n = ::read(fd, text, sizeof text - 1);
        ::close(fd);
        std::string line(text, n > 0 ? static_cast<size_t>(n) : 0);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\0')) line.pop_back();
        if (line == name) {
            found = std::string("/dev/") + e->d_name;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

int listen_at(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        std::fprintf(stderr, "libinstance-vm-agent: socket path too long: %s\n", path.c_str());
        std::exit(2);
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    ::unlink(path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4) != 0) {
        std::fprintf(stderr, "libinstance-vm-agent: listening on %s: %s\n", path.c_str(), std::strerror(errno));
        std::exit(1);
    }
    return fd;
}

bool hung_up(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLHUP) && !(p.revents & POLLIN);
}

int usage() {
    std::fprintf(stderr, "usage: libinstance-vm-agent --port-name NAME | --path PATH | --fd N\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::printf("%s\n", LI_VM_AGENT_VERSION);
        return 0;
    }
    if (argc != 3) return usage();
    std::string opt = argv[1], value = argv[2];
    Mode mode;
    int link = -1, listen_fd = -1;
    if (opt == "--port-name") {
        mode = Mode::Port;
        // The port appears once its driver probed it: wait for it.
        for (;;) {
            std::string dev = find_port(value);
            if (!dev.empty()) link = ::open(dev.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
            if (link >= 0) break;
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    } else if (opt == "--path") {
        struct stat st {};
        if (::stat(value.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
            mode = Mode::Port;
            link = ::open(value.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
            if (link < 0) {
                std::fprintf(stderr, "libinstance-vm-agent: opening %s: %s\n", value.c_str(), std::strerror(errno));
                return 1;
            }
        } else {
            mode = Mode::Listen;
            listen_fd = listen_at(value);
        }
    } else if (opt == "--fd") {
        mode = Mode::Fd;
        link = std::atoi(value.c_str());
        if (link < 0 || ::fcntl(link, F_SETFL, ::fcntl(link, F_GETFL) | O_NONBLOCK) != 0) return usage();
        ::fcntl(link, F_SETFD, FD_CLOEXEC);
    } else {
        return usage();
    }

    Agent agent;
    FrameParser parser;
    bool hup = false;  // Port: no host connected
    if (mode == Mode::Port) agent.announce();  // a host still connected to our predecessor learns it
    // The host went away: its session stays until a new hello (which drops it), its output goes.
    auto lost_host = [&] {
        agent.discard_output();
        parser.clear();
        parser.hunt(MsgType::Hello);
        if (mode == Mode::Listen) {
            ::close(link);
            link = -1;
        } else if (mode == Mode::Fd) {
            std::exit(0);
        } else {
            hup = true;
        }
    };
    std::vector<char> buf(256 * 1024);
    for (;;) {
        std::vector<pollfd> fds;
        int timeout = agent.prepare_poll(fds);
        size_t link_at = fds.size();
        bool pending = agent.out().size() > agent.out_offset();
        if (link >= 0 && !hup) fds.push_back({link, static_cast<short>(POLLIN | (pending ? POLLOUT : 0)), 0});
        else if (mode == Mode::Listen) fds.push_back({listen_fd, POLLIN, 0});
        // Every new host connection (a one-shot `inst exec`) waits for this check: keep it short.
        if (hup) timeout = timeout < 0 ? 20 : std::min(timeout, 20);
        int n = ::poll(fds.data(), fds.size(), timeout);
        if (n < 0 && errno != EINTR) {
            std::perror("libinstance-vm-agent: poll");
            return 1;
        }
        if (hup && !hung_up(link)) hup = false;
        short ev = fds.size() > link_at ? fds[link_at].revents : 0;
        if (mode == Mode::Listen && link < 0 && (ev & POLLIN)) {
            link = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            parser.clear();  // a new socket's stream starts at a frame boundary
            parser.hunt(MsgType::Hello);
            ev = 0;
        }
        if (link >= 0 && !hup && (ev & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = ::read(link, buf.data(), buf.size());
            if (r > 0) {
                parser.append(buf.data(), static_cast<size_t>(r));
                for (bool again = true; again;) {
                    again = false;
                    try {
                        while (auto f = parser.next()) agent.on_frame(*f);
                    } catch (const ProtocolError& e) {
                        std::fprintf(stderr, "libinstance-vm-agent: dropping the session: %s\n", e.what());
                        agent.drop_session();
                        parser.hunt(MsgType::Hello);
                        if (mode != Mode::Port) {
                            lost_host();  // a socket is closed
                        } else {
                            agent.announce();  // a port tells the host, and hunts on in what it holds
                            again = true;
                        }
                    }
                }
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR) || (ev & POLLHUP)) {
                lost_host();
            }
        }
        agent.service();
        // Data is produced within windows; only a host that sends requests without ever reading
        // the answers lets this grow: such a host is dropped.
        if (agent.out().size() - agent.out_offset() > 64u * 1024 * 1024) {
            std::fprintf(stderr, "libinstance-vm-agent: dropping the session: the host does not read\n");
            agent.drop_session();
            parser.hunt(MsgType::Hello);
            lost_host();
        }
        // Send what is queued, as far as the link takes it now.
        std::string& out = agent.out();
        size_t& off = agent.out_offset();
        while (link >= 0 && !hup && off < out.size()) {
            ssize_t w = ::write(link, out.data() + off, out.size() - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && errno == EAGAIN) break;
            if (w <= 0) {
                lost_host();
                break;
            }
            off += static_cast<size_t>(w);
        }
        if (off == out.size()) {
            out.clear();
            off = 0;
        } else if (off > 4 * 1024 * 1024) {
            out.erase(0, off);
            off = 0;
        }
    }
}
