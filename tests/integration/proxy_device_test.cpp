// proxy devices against real containers: bytes forwarded on loopback from the host into the
// container (tcp, unix, udp) and from the container to the host, several connections through
// one forwarder, hot-plug, and the forwarder gone at stop.
#include <doctest.h>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <memory>
#include <thread>
#include <unistd.h>

#include "integration/shared_manager.hpp"
#include "sys/unique_fd.hpp"

using namespace li;
using namespace li::test;
using namespace std::chrono_literals;

namespace {

// A port the kernel just handed out free on the host's loopback.
uint16_t free_port() {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

// Connects (retrying briefly: a forwarder or nc may still be coming up), sends text, half-closes
// and returns everything read back within the timeout.
std::string exchange(const sockaddr* addr, socklen_t len, const std::string& text, int type = SOCK_STREAM) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
        UniqueFd s(::socket(addr->sa_family, type | SOCK_CLOEXEC, 0));
        if (::connect(s.get(), addr, len) != 0) {
            if (std::chrono::steady_clock::now() > deadline) return "connect failed";
            std::this_thread::sleep_for(100ms);
            continue;
        }
        REQUIRE(::send(s.get(), text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
        if (type == SOCK_STREAM) ::shutdown(s.get(), SHUT_WR);
        std::string out;
        char buf[4096];
        pollfd p{s.get(), POLLIN, 0};
        while (::poll(&p, 1, 3000) > 0) {
            ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
            if (n <= 0) break;
            out.append(buf, static_cast<size_t>(n));
            if (type != SOCK_STREAM) break;
        }
        return out;
    }
}

std::string tcp_exchange(uint16_t port, const std::string& text) {
    sockaddr_in a = loopback(port);
    return exchange(reinterpret_cast<sockaddr*>(&a), sizeof a, text);
}

bool tcp_refused(uint16_t port) {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a = loopback(port);
    return ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0;
}

// An echo server inside the container: busybox nc, persistent (-ll) and running cat per client.
// The exec lasts until the container stops (a backgrounded nc would keep exec waiting too).
struct ContainerEcho {
    std::thread thread;
    ContainerEcho(Instance& c, int port)
        : thread([c, port]() mutable {
              try {
                  c.exec({"nc", "-ll", "-p", std::to_string(port), "-e", "cat"});
              } catch (...) {
              }
          }) {
        // Ready once the port is in the container's listening sockets.
        for (int i = 0; i < 100; i++) {
            if (c.exec({"sh", "-c", fmt::format("netstat -ltn | grep -q ':{} '", port)}).exit_code == 0) return;
            std::this_thread::sleep_for(50ms);
        }
        FAIL("nc does not listen in the container");
    }
    ~ContainerEcho() { thread.join(); }
};

// An echo server on the host's loopback, answering "echo:" + what it read, until stopped.
struct HostEcho {
    UniqueFd listener{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    uint16_t port = 0;
    std::atomic<bool> done{false};
    std::thread thread;
    HostEcho() {
        sockaddr_in a = loopback(0);
        int one = 1;
        ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        ::listen(listener.get(), 16);
        thread = std::thread([this] {
            while (!done) {
                pollfd p{listener.get(), POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0) continue;
                UniqueFd client(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
                std::string got;
                char buf[4096];
                for (ssize_t n; (n = ::recv(client.get(), buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<size_t>(n));
                std::string reply = "echo:" + got;
                (void)!::send(client.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
            }
        });
    }
    ~HostEcho() {
        done = true;
        thread.join();
    }
};

// A socket made in the network namespace of pid (from a thread that enters it, as setns of a
// network namespace is per thread); the socket stays in that namespace.
UniqueFd socket_in(pid_t pid, int type) {
    UniqueFd ns(::open(fmt::format("/proc/{}/ns/net", pid).c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(ns);
    int fd = -1;
    std::thread([&] {
        if (::setns(ns.get(), CLONE_NEWNET) == 0) fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    }).join();
    REQUIRE(fd >= 0);
    return UniqueFd(fd);
}

}  // namespace

TEST_CASE("proxy tcp host -> container: several connections through one forwarder, gone at stop") {
    uint16_t port = free_port();
    Instance c = launch("proxy-tcp1", false);
    c.add_device("web", {{"type", "proxy"}, {"listen", fmt::format("tcp:127.0.0.1:{}", port)}, {"connect", "tcp:127.0.0.1:8080"}});
    c.start();
    auto echo = std::make_unique<ContainerEcho>(c, 8080);
    for (int i = 0; i < 5; i++) {
        std::string text = fmt::format("hello-{}-through-the-proxy\n", i);
        CHECK(tcp_exchange(port, text) == text);  // to the container and back: both directions
    }
    // A bigger stream keeps its bytes and order.
    std::string big;
    for (int i = 0; i < 20000; i++) big += std::to_string(i) + ",";
    CHECK(tcp_exchange(port, big) == big);
    force_stop(c);
    echo.reset();
    CHECK(tcp_refused(port));
    c.remove();
}

TEST_CASE("proxy bind=container: the container connects to a host service; unix sockets with owner and mode") {
    HostEcho echo;
    Instance c = launch("proxy-back1");
    // Hot-plugged into the running container.
    c.add_device("back", {{"type", "proxy"}, {"bind", "container"}, {"listen", "tcp:127.0.0.1:7070"},
                          {"connect", fmt::format("tcp:127.0.0.1:{}", echo.port)}});
    ExecResult r{};
    for (int i = 0; i < 3; i++) {
        r = c.exec({"sh", "-c", "echo from-container | nc 127.0.0.1 7070"});
        CHECK(r.stdout_data == "echo:from-container\n");
    }
    // Unplugged: nothing listens in the container any more.
    c.remove_device("back");
    CHECK(c.exec({"sh", "-c", "echo x | nc 127.0.0.1 7070"}).stdout_data.empty());

    // A unix socket inside the container, owned by container uid/gid 1000 with mode 0660,
    // reached from the host through the container's root.
    c.add_device("sock", {{"type", "proxy"}, {"bind", "container"}, {"listen", "unix:/tmp/app.sock"},
                          {"connect", fmt::format("tcp:127.0.0.1:{}", echo.port)}, {"uid", "1000"}, {"gid", "1000"}, {"mode", "0660"}});
    CHECK(c.exec({"sh", "-c", "stat -c '%u %g %a %F' /tmp/app.sock"}).stdout_data == "1000 1000 660 socket\n");
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::string path = fmt::format("/proc/{}/root/tmp/app.sock", c.state().pid);
    std::snprintf(un.sun_path, sizeof un.sun_path, "%s", path.c_str());
    CHECK(exchange(reinterpret_cast<sockaddr*>(&un), sizeof un, "via-unix") == "echo:via-unix");
    force_stop(c);
    c.remove();
}

TEST_CASE("proxy unix host -> container tcp, and udp datagrams both ways") {
    TempDir dir("li-proxy");
    ::chmod(dir.path().c_str(), 0755);
    std::string sock = (dir.path() / "web.sock").string();
    uint16_t udp_port = free_port();
    Instance c = launch("proxy-unix1", false);
    c.add_device("unix", {{"type", "proxy"}, {"listen", "unix:" + sock}, {"connect", "tcp:127.0.0.1:8081"}, {"mode", "0600"}});
    c.add_device("dns", {{"type", "proxy"}, {"listen", fmt::format("udp:127.0.0.1:{}", udp_port)}, {"connect", "udp:127.0.0.1:5353"}});
    c.start();
    auto echo = std::make_unique<ContainerEcho>(c, 8081);
    struct stat st {};
    REQUIRE(::stat(sock.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::snprintf(un.sun_path, sizeof un.sun_path, "%s", sock.c_str());
    CHECK(exchange(reinterpret_cast<sockaddr*>(&un), sizeof un, "unix-bytes") == "unix-bytes");
    CHECK(exchange(reinterpret_cast<sockaddr*>(&un), sizeof un, "again") == "again");

    // A udp server inside the container's network namespace answers each datagram.
    UniqueFd server = socket_in(static_cast<pid_t>(c.state().pid), SOCK_DGRAM);
    sockaddr_in at = loopback(5353);
    REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) == 0);
    std::thread answer([&] {
        for (int i = 0; i < 2; i++) {
            pollfd p{server.get(), POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) return;
            char buf[512];
            sockaddr_storage from{};
            socklen_t len = sizeof from;
            ssize_t n = ::recvfrom(server.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            std::string reply = "udp:" + std::string(buf, static_cast<size_t>(std::max<ssize_t>(n, 0)));
            ::sendto(server.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    });
    sockaddr_in target = loopback(udp_port);
    CHECK(exchange(reinterpret_cast<sockaddr*>(&target), sizeof target, "dgram-1", SOCK_DGRAM) == "udp:dgram-1");
    CHECK(exchange(reinterpret_cast<sockaddr*>(&target), sizeof target, "dgram-2", SOCK_DGRAM) == "udp:dgram-2");
    answer.join();

    force_stop(c);
    echo.reset();
    CHECK_FALSE(std::filesystem::exists(sock));
    c.remove();
}

TEST_CASE("proxy: bad values are refused naming the key, changing nothing") {
    Instance c = launch("proxy-bad1", false);
    auto before = c.info().devices;
    auto refused = [&](api::ConfigMap device, const std::string& key, ErrorCode code, const std::string& quoted) {
        device["type"] = "proxy";
        Error e = error_of([&] { c.add_device("p", device); });
        CHECK(e.code() == code);
        CHECK(e.key() == key);
        CHECK(std::string(e.what()).find(quoted) != std::string::npos);
    };
    refused({{"connect", "tcp:127.0.0.1:80"}}, "devices.p.listen", ErrorCode::InvalidArgument, "listen");
    refused({{"listen", "tcp:1.2.3:80"}, {"connect", "tcp:127.0.0.1:80"}}, "devices.p.listen", ErrorCode::InvalidArgument, "1.2.3");
    refused({{"listen", "tcp:127.0.0.1:99999"}, {"connect", "tcp:127.0.0.1:80"}}, "devices.p.listen", ErrorCode::InvalidArgument, "99999");
    refused({{"listen", "sctp:127.0.0.1:80"}, {"connect", "tcp:127.0.0.1:80"}}, "devices.p.listen", ErrorCode::InvalidArgument, "sctp");
    refused({{"listen", "tcp:127.0.0.1:80"}, {"connect", "udp:127.0.0.1:80"}}, "devices.p.connect", ErrorCode::InvalidArgument, "udp");
    refused({{"listen", "tcp:127.0.0.1:80-82"}, {"connect", "tcp:127.0.0.1:80-81"}}, "devices.p.connect", ErrorCode::InvalidArgument, "80-81");
    refused({{"listen", "tcp:127.0.0.1:80"}, {"connect", "tcp:127.0.0.1:80"}, {"bind", "both"}}, "devices.p.bind", ErrorCode::InvalidArgument, "both");
    refused({{"listen", "unix:relative.sock"}, {"connect", "tcp:127.0.0.1:80"}}, "devices.p.listen", ErrorCode::InvalidArgument, "relative");
    refused({{"listen", "tcp:127.0.0.1:80"}, {"connect", "tcp:127.0.0.1:80"}, {"nat", "true"}}, "devices.p.nat", ErrorCode::NotSupported, "nat");
    CHECK(c.info().devices == before);
    c.remove();
}
