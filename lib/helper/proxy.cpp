// libinstance-helper proxy: the forwarder of a proxy device. It creates its listening sockets in
// one side's namespaces (host or container), then enters the other side's for good, so every
// socket it connects afterwards belongs there. A socket keeps the network namespace it was made
// in, and a unix path is resolved in the mount namespace of the caller at bind/connect time.
//
// Once listening it forks the forwarder (a new session, so stopping it can signal the
// connections too), writes the forwarder's pid to the pid file and exits 0; setup errors are
// printed and exit 1. TCP and unix connections each get a child copying both directions; UDP
// datagrams are relayed by the forwarder itself, one upstream socket per client address.
#include "proxy.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/fsuid.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include "proxy_address.hpp"

namespace {

using li::proxy::Address;

struct Namespaces {
    int net = -1;
    int mnt = -1;
};

struct Options {
    pid_t container_pid = 0;
    bool bind_container = false;
    Address listen, connect;
    std::string pidfile, logfile;
    long uid = -1, gid = -1;
    long create_uid = -1, create_gid = -1;  ///< fs ids that create a socket file (container root)
    mode_t mode = 0644;
};

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "%s\n", message.c_str());
    std::exit(1);
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

Namespaces open_namespaces(const std::string& proc) {
    Namespaces ns;
    ns.net = ::open((proc + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    ns.mnt = ::open((proc + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
    if (ns.net < 0 || ns.mnt < 0) fail(errno_text("opening the namespaces of " + proc));
    return ns;
}

void enter(int fd, int type, const char* what) {
    if (::setns(fd, type) != 0) fail(errno_text(std::string("entering the ") + what + " namespace"));
}

bool uses_path(const Address& a) { return a.type == "unix" && !a.abstract; }

socklen_t socket_address(const Address& a, uint16_t port, sockaddr_storage& out) {
    std::memset(&out, 0, sizeof out);
    if (a.type == "unix") {
        auto* un = reinterpret_cast<sockaddr_un*>(&out);
        un->sun_family = AF_UNIX;
        size_t offset = a.abstract ? 1 : 0;  // an abstract name starts with a NUL byte
        std::memcpy(un->sun_path + offset, a.path.data(), a.path.size());
        return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + a.path.size() + (a.abstract ? 0 : 1));
    }
    auto* in4 = reinterpret_cast<sockaddr_in*>(&out);
    if (::inet_pton(AF_INET, a.host.c_str(), &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        return sizeof(sockaddr_in);
    }
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (::inet_pton(AF_INET6, a.host.c_str(), &in6->sin6_addr) != 1) fail("invalid address " + a.host);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    return sizeof(sockaddr_in6);
}

int make_socket(const Address& a, const sockaddr_storage& addr) {
    int type = a.type == "udp" ? SOCK_DGRAM : SOCK_STREAM;
    int fd = ::socket(addr.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) fail(errno_text("socket"));
    return fd;
}

int listen_on(const Options& o, uint16_t port) {
    const Address& a = o.listen;
    sockaddr_storage addr;
    socklen_t len = socket_address(a, port, addr);
    int fd = make_socket(a, addr);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (uses_path(a)) ::unlink(a.path.c_str());  // a socket left by an earlier forwarder
    // In an idmapped container rootfs a new file needs an owner the mount maps: host root is not.
    if (uses_path(a) && o.create_uid >= 0) {
        ::setfsgid(static_cast<gid_t>(o.create_gid));
        ::setfsuid(static_cast<uid_t>(o.create_uid));
    }
    int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    ::setfsuid(0);
    ::setfsgid(0);
    if (bound != 0)
        fail(errno_text("listening on " + (a.type == "unix" ? a.path : a.host + ":" + std::to_string(port))));
    if (uses_path(a)) {
        if (::chmod(a.path.c_str(), o.mode) != 0) fail(errno_text("chmod " + a.path));
        if ((o.uid >= 0 || o.gid >= 0) &&
            ::chown(a.path.c_str(), static_cast<uid_t>(o.uid), static_cast<gid_t>(o.gid)) != 0)
            fail(errno_text("chown " + a.path));
    }
    if (a.stream() && ::listen(fd, 128) != 0) fail(errno_text("listen"));
    return fd;
}

// A connected socket to the target (-1 when it refuses): made in the connect side's namespaces.
int connect_to(const Address& a, uint16_t port) {
    sockaddr_storage addr;
    socklen_t len = socket_address(a, port, addr);
    int type = a.type == "udp" ? SOCK_DGRAM : SOCK_STREAM;
    int fd = ::socket(addr.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
        std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

uint16_t target_port(const Options& o, size_t listener) {
    if (o.connect.type == "unix") return 0;
    return o.connect.ports.size() == 1 ? o.connect.ports[0] : o.connect.ports[listener];
}

// Copies both directions until both ended; an ended direction is passed on as a half-close.
void relay(int a, int b) {
    bool open_ab = true, open_ba = true;
    char buf[65536];
    while (open_ab || open_ba) {
        pollfd p[2] = {{a, static_cast<short>(open_ab ? POLLIN : 0), 0}, {b, static_cast<short>(open_ba ? POLLIN : 0), 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int from = i == 0 ? a : b, to = i == 0 ? b : a;
            bool& open = i == 0 ? open_ab : open_ba;
            ssize_t n = ::read(from, buf, sizeof buf);
            if (n <= 0) {
                open = false;
                ::shutdown(to, SHUT_WR);
                continue;
            }
            for (ssize_t done = 0; done < n;) {
                ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
                if (w <= 0) return;
                done += w;
            }
        }
    }
}

struct UdpFlow {
    size_t listener;
    sockaddr_storage peer;
    socklen_t peer_len;
    int upstream;
    time_t last;
};

[[noreturn]] void serve(const Options& o, const std::vector<int>& listeners) {
    std::signal(SIGCHLD, SIG_IGN);  // connection children are reaped by the kernel
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<UdpFlow> flows;
    char buf[65536];
    for (;;) {
        std::vector<pollfd> p;
        for (int fd : listeners) p.push_back({fd, POLLIN, 0});
        for (const auto& f : flows) p.push_back({f.upstream, POLLIN, 0});
        if (::poll(p.data(), p.size(), 30000) < 0) {
            if (errno == EINTR) continue;
            fail(errno_text("poll"));
        }
        for (size_t i = 0; i < listeners.size(); i++) {
            if (!(p[i].revents & POLLIN)) continue;
            if (o.listen.stream()) {
                int client = ::accept4(listeners[i], nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0) continue;
                pid_t child = ::fork();
                if (child == 0) {
                    for (int fd : listeners) ::close(fd);
                    int up = connect_to(o.connect, target_port(o, i));
                    if (up >= 0) relay(client, up);
                    _exit(0);
                }
                ::close(client);
                continue;
            }
            UdpFlow in{i, {}, sizeof(sockaddr_storage), -1, 0};
            ssize_t n = ::recvfrom(listeners[i], buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&in.peer), &in.peer_len);
            if (n < 0) continue;
            UdpFlow* flow = nullptr;
            for (auto& f : flows)
                if (f.listener == i && f.peer_len == in.peer_len && std::memcmp(&f.peer, &in.peer, in.peer_len) == 0) flow = &f;
            if (!flow) {
                in.upstream = connect_to(o.connect, target_port(o, i));
                if (in.upstream < 0) continue;
                if (flows.size() >= 256) {  // the longest idle client gives way
                    size_t oldest = 0;
                    for (size_t k = 1; k < flows.size(); k++)
                        if (flows[k].last < flows[oldest].last) oldest = k;
                    ::close(flows[oldest].upstream);
                    flows.erase(flows.begin() + static_cast<long>(oldest));
                }
                flows.push_back(in);
                flow = &flows.back();
            }
            flow->last = std::time(nullptr);
            (void)!::send(flow->upstream, buf, static_cast<size_t>(n), 0);
        }
        // Replies go back to the client each upstream socket was made for. p was built before
        // flows changed above, so only the flows it covers are looked at.
        for (size_t k = listeners.size(); k < p.size(); k++) {
            if (!(p[k].revents & POLLIN)) continue;
            for (auto& f : flows) {
                if (f.upstream != p[k].fd) continue;
                ssize_t n = ::recv(f.upstream, buf, sizeof buf, 0);
                if (n >= 0)
                    (void)!::sendto(listeners[f.listener], buf, static_cast<size_t>(n), 0,
                                    reinterpret_cast<sockaddr*>(&f.peer), f.peer_len);
                f.last = std::time(nullptr);
            }
        }
    }
}

int proxy_usage() {
    std::fprintf(stderr, "usage: libinstance-helper proxy --pid PID --bind host|container --listen ADDR --connect ADDR "
                         "--pidfile FILE --log FILE [--uid N] [--gid N] [--mode OCTAL]\n");
    return 2;
}

}  // namespace

int do_proxy(int argc, char** argv) {
    Options o;
    for (int i = 0; i < argc; i++) {
        std::string arg = argv[i];
        if (i + 1 >= argc) return proxy_usage();
        std::string v = argv[++i];
        std::string why;
        if (arg == "--pid") o.container_pid = static_cast<pid_t>(std::strtol(v.c_str(), nullptr, 10));
        else if (arg == "--bind") o.bind_container = v == "container";
        else if (arg == "--listen") why = li::proxy::parse_address(v, o.listen);
        else if (arg == "--connect") why = li::proxy::parse_address(v, o.connect);
        else if (arg == "--pidfile") o.pidfile = v;
        else if (arg == "--log") o.logfile = v;
        else if (arg == "--uid") o.uid = std::strtol(v.c_str(), nullptr, 10);
        else if (arg == "--gid") o.gid = std::strtol(v.c_str(), nullptr, 10);
        else if (arg == "--create-uid") o.create_uid = std::strtol(v.c_str(), nullptr, 10);
        else if (arg == "--create-gid") o.create_gid = std::strtol(v.c_str(), nullptr, 10);
        else if (arg == "--mode") o.mode = static_cast<mode_t>(std::strtoul(v.c_str(), nullptr, 8));
        else return proxy_usage();
        if (!why.empty()) fail(arg + " " + v + ": " + why);
    }
    if (o.container_pid <= 0 || o.listen.type.empty() || o.connect.type.empty() || o.pidfile.empty() || o.logfile.empty())
        return proxy_usage();

    Namespaces host = open_namespaces("/proc/self");
    Namespaces container = open_namespaces("/proc/" + std::to_string(o.container_pid));
    const Namespaces& listen_side = o.bind_container ? container : host;
    const Namespaces& connect_side = o.bind_container ? host : container;
    // Opened before any namespace change: the paths are the host's.
    int pidfile = ::open(o.pidfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int log = ::open(o.logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (pidfile < 0 || log < 0 || null < 0) fail(errno_text("opening " + o.pidfile + " and " + o.logfile));

    enter(listen_side.net, CLONE_NEWNET, "network");
    if (uses_path(o.listen)) enter(listen_side.mnt, CLONE_NEWNS, "mount");
    std::vector<int> listeners;
    if (o.listen.type == "unix") listeners.push_back(listen_on(o, 0));
    else
        for (uint16_t port : o.listen.ports) listeners.push_back(listen_on(o, port));
    enter(connect_side.net, CLONE_NEWNET, "network");
    enter(uses_path(o.connect) ? connect_side.mnt : host.mnt, CLONE_NEWNS, "mount");

    pid_t child = ::fork();
    if (child < 0) fail(errno_text("fork"));
    if (child > 0) {
        std::string text = std::to_string(child) + "\n";
        if (::write(pidfile, text.data(), text.size()) != static_cast<ssize_t>(text.size())) fail(errno_text("writing the pid file"));
        return 0;
    }
    ::setsid();
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    for (int fd : {pidfile, log, null, host.net, host.mnt, container.net, container.mnt}) ::close(fd);
    if (::chdir("/") != 0) {
        // the root of the connect side is always there; nothing to do otherwise
    }
    serve(o, listeners);
}
