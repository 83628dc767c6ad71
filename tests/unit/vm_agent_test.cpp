// The VM guest agent and its host client, end to end on the host: the real libinstance-vm-agent
// ($LIBINSTANCE_VM_AGENT) listens on a unix socket in a temp dir (as QEMU does for the guest's
// port) and VmAgentClient talks to it.
#include <doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "instance/drivers/qemu/agent_client.hpp"
#include "libinstance/error.hpp"
#include "vmagent/protocol.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct AgentProcess {
    fs::path dir;
    fs::path sock;
    pid_t pid = -1;

    AgentProcess() {
        char tmpl[] = "/tmp/li-vm-agent-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        sock = dir / "agent.sock";
        const char* agent = std::getenv("LIBINSTANCE_VM_AGENT");
        REQUIRE_MESSAGE(agent, "LIBINSTANCE_VM_AGENT names the agent binary");
        pid = ::fork();
        if (pid == 0) {
            ::execl(agent, agent, "--path", sock.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~AgentProcess() {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    bool alive() { return ::waitpid(pid, nullptr, WNOHANG) == 0; }
};

std::string read_all(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string random_bytes(size_t n) {
    std::mt19937_64 rng(42);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

int connect_raw(const fs::path& sock) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, sock.c_str());
    for (int i = 0; i < 100 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0; ++i)
        std::this_thread::sleep_for(50ms);
    return fd;
}

}  // namespace

TEST_CASE("vm agent: connect times out naming the socket when no agent answers") {
    char tmpl[] = "/tmp/li-vm-agent-none-XXXXXX";
    fs::path dir = ::mkdtemp(tmpl);
    li::VmAgentClient client;
    try {
        client.connect(dir / "missing.sock", 300ms);
        FAIL("connect succeeded");
    } catch (const li::Error& e) {
        CHECK(e.code() == li::ErrorCode::Timeout);
        CHECK(std::string(e.what()).find("missing.sock") != std::string::npos);
    }
    // A socket that exists but whose other side never reads (QEMU before the guest opened its
    // port): still bounded by the timeout.
    int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, (dir / "mute.sock").c_str());
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    auto start = std::chrono::steady_clock::now();
    li::VmAgentClient mute;
    try {
        mute.connect(dir / "mute.sock", 700ms);
        FAIL("connect succeeded");
    } catch (const li::Error& e) {
        CHECK(e.code() == li::ErrorCode::Timeout);
        CHECK(std::string(e.what()).find("mute.sock") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    ::close(listener);
    fs::remove_all(dir);
}

TEST_CASE("vm agent: exec") {
    AgentProcess agent;
    li::VmAgentClient client;
    client.connect(agent.sock, 10s);
    CHECK(!client.ping().empty());

    SUBCASE("echo and exit codes") {
        auto r = client.exec({"echo", "hello"}, {});
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_data == "hello\n");
        CHECK(client.exec({"sh", "-c", "exit 7"}, {}).exit_code == 7);
    }
    SUBCASE("a background process holding stdout does not keep exec waiting") {
        auto start = std::chrono::steady_clock::now();
        auto r = client.exec({"sh", "-c", "echo started; sleep 20 &"}, {});
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_data == "started\n");
        CHECK(std::chrono::steady_clock::now() - start < 10s);
        // Nor one that writes without end.
        fs::path pid_file = agent.dir / "yes.pid";
        r = client.exec({"sh", "-c", "echo go; yes & echo $! > " + pid_file.string() + "; sleep 0.2"}, {});
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_data.rfind("go\n", 0) == 0);
        CHECK(std::chrono::steady_clock::now() - start < 20s);
        ::kill(std::stoi(read_all(pid_file)), SIGKILL);  // (it dies of SIGPIPE anyway)
    }
    SUBCASE("stdout and stderr are separate") {
        auto r = client.exec({"sh", "-c", "echo out; echo err >&2"}, {});
        CHECK(r.stdout_data == "out\n");
        CHECK(r.stderr_data == "err\n");
    }
    SUBCASE("5 MiB through stdin and back") {
        li::ExecOptions o;
        o.stdin_data = random_bytes(5 * 1024 * 1024 + 17);
        auto r = client.exec({"cat"}, o);
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_data.size() == o.stdin_data->size());
        CHECK(r.stdout_data == *o.stdin_data);
    }
    SUBCASE("stdin and stdout fds") {
        fs::path in = agent.dir / "in", out = agent.dir / "out";
        std::ofstream(in) << "from a file\n";
        int in_fd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
        int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        li::ExecOptions o;
        o.stdin_fd = in_fd;
        o.stdout_fd = out_fd;
        auto r = client.exec({"tr", "a-z", "A-Z"}, o);
        ::close(in_fd);
        ::close(out_fd);
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_data.empty());
        CHECK(read_all(out) == "FROM A FILE\n");
    }
    SUBCASE("env, cwd and the default cwd") {
        li::ExecOptions o;
        o.env = {"FOO=bar baz"};
        o.cwd = "/tmp";
        auto r = client.exec({"sh", "-c", "echo \"$FOO\"; pwd; echo $PATH"}, o);
        CHECK(r.stdout_data == "bar baz\n/tmp\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        CHECK(client.exec({"pwd"}, {}).stdout_data == (fs::is_directory("/root") ? "/root\n" : "/\n"));
        li::ExecOptions bad;
        bad.env = {"NOEQUALS"};
        CHECK_THROWS_AS(client.exec({"true"}, bad), li::Error);
    }
    SUBCASE("uid and gid") {
        li::ExecOptions o;
        o.uid = 1000;
        o.gid = 1000;
        auto r = client.exec({"id", "-u"}, o);
        CHECK(r.stdout_data == "1000\n");
        CHECK(client.exec({"id", "-g"}, o).stdout_data == "1000\n");
    }
    SUBCASE("a missing command is NotFound") {
        try {
            client.exec({"/no/such/command"}, {});
            FAIL("exec succeeded");
        } catch (const li::Error& e) {
            CHECK(e.code() == li::ErrorCode::NotFound);
            CHECK(std::string(e.what()).find("/no/such/command") != std::string::npos);
        }
        CHECK(client.exec({"true"}, {}).exit_code == 0);  // the connection is fine
        li::ExecOptions o;
        o.cwd = "/no/such/dir";
        try {
            client.exec({"true"}, o);
            FAIL("exec in a missing directory succeeded");
        } catch (const li::Error& e) {
            CHECK(e.code() == li::ErrorCode::NotFound);
            CHECK(e.key() == "cwd");
            CHECK(std::string(e.what()).find("/no/such/dir") != std::string::npos);
        }
    }
    SUBCASE("signal") {
        li::ExecOptions o;
        o.on_signal_ready = [](std::function<void(int)> send) {
            std::thread([send] {
                std::this_thread::sleep_for(200ms);
                send(SIGTERM);
            }).detach();
        };
        auto start = std::chrono::steady_clock::now();
        auto r = client.exec({"sleep", "30"}, o);
        CHECK(r.exit_code == 128 + SIGTERM);
        CHECK(std::chrono::steady_clock::now() - start < 10s);
    }
    SUBCASE("terminal") {
        int master = -1, slave = -1;
        winsize ws{};
        ws.ws_col = 101;
        ws.ws_row = 33;
        REQUIRE(::openpty(&master, &slave, nullptr, nullptr, &ws) == 0);
        li::ExecOptions o;
        o.terminal = true;
        o.stdin_fd = slave;
        o.stdout_fd = slave;
        o.stderr_fd = slave;
        auto r = client.exec({"sh", "-c", "tty; stty size"}, o);
        CHECK(r.exit_code == 0);
        ::close(slave);
        std::string out;
        char buf[4096];
        for (;;) {
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, 500) <= 0) break;
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0) break;
            out.append(buf, static_cast<size_t>(n));
        }
        ::close(master);
        CHECK(out.find("/dev/pts/") != std::string::npos);
        CHECK(out.find("33 101") != std::string::npos);
    }
    SUBCASE("terminal window size changes reach the guest") {
        int master = -1, slave = -1;
        winsize ws{};
        ws.ws_col = 80;
        ws.ws_row = 24;
        REQUIRE(::openpty(&master, &slave, nullptr, nullptr, &ws) == 0);
        std::thread resize([&] {
            std::this_thread::sleep_for(300ms);
            winsize bigger{};
            bigger.ws_col = 132;
            bigger.ws_row = 50;
            ::ioctl(master, TIOCSWINSZ, &bigger);
        });
        // The output must be drained while the command runs (a pty's buffer is small).
        std::string out;
        std::atomic<bool> done{false};
        std::thread drain([&] {
            char buf[4096];
            while (!done) {
                pollfd p{master, POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0) continue;
                ssize_t n = ::read(master, buf, sizeof buf);
                if (n > 0) out.append(buf, static_cast<size_t>(n));
            }
        });
        li::ExecOptions o;
        o.terminal = true;
        o.stdin_fd = slave;
        o.stdout_fd = slave;
        auto r = client.exec({"sh", "-c", "stty size; sleep 1; stty size"}, o);
        resize.join();
        std::this_thread::sleep_for(200ms);
        done = true;
        drain.join();
        ::close(slave);
        ::close(master);
        CHECK(r.exit_code == 0);
        CHECK(out.find("24 80") != std::string::npos);
        CHECK(out.find("50 132") != std::string::npos);
    }
    SUBCASE("two execs at once on two threads") {
        std::string a, b;
        auto start = std::chrono::steady_clock::now();
        std::thread t([&] { a = client.exec({"sh", "-c", "sleep 1; echo a"}, {}).stdout_data; });
        b = client.exec({"sh", "-c", "sleep 1; echo b"}, {}).stdout_data;
        t.join();
        CHECK(a == "a\n");
        CHECK(b == "b\n");
        CHECK(std::chrono::steady_clock::now() - start < 1900ms);
    }
}

TEST_CASE("vm agent: files") {
    AgentProcess agent;
    li::VmAgentClient client;
    client.connect(agent.sock, 10s);
    std::string base = (agent.dir / "guest").string();

    // Write a few MiB with mode and owner, read them back.
    std::string content = random_bytes(3 * 1024 * 1024 + 5);
    fs::path src = agent.dir / "src";
    std::ofstream(src, std::ios::binary) << content;
    int in_fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    li::FileOptions o;
    o.uid = 1000;
    o.gid = 1001;
    o.mode = 0640;
    o.create_parents = true;
    client.write_file(base + "/a/b/file", in_fd, o);
    ::close(in_fd);
    auto info = client.stat(base + "/a/b/file");
    CHECK(info.type == "file");
    CHECK(info.uid == 1000);
    CHECK(info.gid == 1001);
    CHECK(info.mode == 0640);
    CHECK(info.size == content.size());
    fs::path dst = agent.dir / "dst";
    int out_fd = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    client.read_file(base + "/a/b/file", out_fd);
    ::close(out_fd);
    CHECK(read_all(dst) == content);
    CHECK(fs::is_directory(base + "/a"));
    // Nothing left beside it (the temporary file was renamed).
    auto dir = client.stat(base + "/a/b");
    CHECK(dir.type == "directory");
    CHECK(dir.entries == std::vector<std::string>{"file"});

    // mkdir, symlink, stat of both, remove.
    client.mkdir(base + "/d", {});
    CHECK_THROWS_AS(client.mkdir(base + "/d", {}), li::Error);
    li::FileOptions p;
    p.create_parents = true;
    client.mkdir(base + "/d", p);  // mkdir -p of an existing directory
    client.symlink(base + "/link", "a/b/file", {});
    auto l = client.stat(base + "/link");
    CHECK(l.type == "symlink");
    CHECK(l.target == "a/b/file");
    auto top = client.stat(base);
    CHECK(top.entries == std::vector<std::string>{"a", "d", "link"});
    try {
        client.remove(base + "/a");
        FAIL("removed a non-empty directory");
    } catch (const li::Error& e) {
        CHECK(e.code() == li::ErrorCode::Conflict);
    }
    client.remove(base + "/link");
    client.remove(base + "/d");
    client.remove(base + "/a/b/file");
    CHECK(client.stat(base).entries == std::vector<std::string>{"a"});
    try {
        client.stat(base + "/missing");
        FAIL("stat of a missing path");
    } catch (const li::Error& e) {
        CHECK(e.code() == li::ErrorCode::NotFound);
        CHECK(std::string(e.what()).find(base + "/missing") != std::string::npos);
    }
    int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    CHECK_THROWS_AS(client.read_file(base + "/missing", null_fd), li::Error);
    ::close(null_fd);

    // Four writes at once on four threads.
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            int fds[2];
            REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
            std::thread feeder([&] {
                std::string data(1024 * 1024, static_cast<char>('a' + i));
                (void)!::write(fds[1], data.data(), data.size());
                ::close(fds[1]);
            });
            client.write_file(base + "/par" + std::to_string(i), fds[0], {});
            feeder.join();
            ::close(fds[0]);
            ++ok;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 4);
    for (int i = 0; i < 4; ++i) CHECK(client.stat(base + "/par" + std::to_string(i)).size == 1024 * 1024);
}

TEST_CASE("vm agent: a new host connection ends the earlier one's commands") {
    AgentProcess agent;
    fs::path pid_file = agent.dir / "pid";
    {
        li::VmAgentClient first;
        first.connect(agent.sock, 10s);
        std::thread t([&] {
            CHECK_THROWS_AS(first.exec({"sh", "-c", "echo $$ > " + pid_file.string() + "; exec sleep 1000"}, {}), li::Error);
        });
        for (int i = 0; i < 100 && !fs::exists(pid_file); ++i) std::this_thread::sleep_for(50ms);
        std::this_thread::sleep_for(100ms);
        first.close();  // the host goes away mid-exec
        t.join();
    }
    int pid = std::stoi(read_all(pid_file));
    CHECK(::kill(pid, 0) == 0);  // still running: no new hello yet
    li::VmAgentClient second;
    second.connect(agent.sock, 10s);
    CHECK(second.exec({"echo", "again"}, {}).stdout_data == "again\n");
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        gone = ::kill(pid, 0) != 0;
        if (!gone) std::this_thread::sleep_for(50ms);
    }
    CHECK(gone);
    CHECK(agent.alive());
}

TEST_CASE("vm agent: hostile frames close the connection, the agent lives on") {
    AgentProcess agent;
    {
        li::VmAgentClient client;  // waits until the agent listens
        client.connect(agent.sock, 10s);
    }
    // A hello, then a frame whose length is over the bound.
    int fd = connect_raw(agent.sock);
    uint64_t session = 0x1234567890abcdefULL;
    std::string hello = vmagent::encode_frame(vmagent::MsgType::Hello, 0, session, vmagent::Writer().u32(1).take());
    REQUIRE(::write(fd, hello.data(), hello.size()) == static_cast<ssize_t>(hello.size()));
    // The agent answers the hello.
    vmagent::FrameParser parser;
    parser.hunt(vmagent::MsgType::HelloAck, session);
    char buf[4096];
    std::optional<vmagent::Frame> ack;
    while (!ack) {
        pollfd p{fd, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 5000) == 1);
        ssize_t n = ::read(fd, buf, sizeof buf);
        REQUIRE(n > 0);
        parser.append(buf, static_cast<size_t>(n));
        ack = parser.next();
    }
    std::string bad = vmagent::encode_frame(vmagent::MsgType::Ping, 1, session, {});
    bad[20] = '\xff';  // length 0x7fffffff: far over kMaxPayload
    bad[21] = '\xff';
    bad[22] = '\xff';
    bad[23] = '\x7f';
    REQUIRE(::write(fd, bad.data(), bad.size()) == static_cast<ssize_t>(bad.size()));
    // Then closes the connection.
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    CHECK(::read(fd, buf, sizeof buf) == 0);
    ::close(fd);
    // Garbage without any hello is ignored; the agent still serves the next host.
    fd = connect_raw(agent.sock);
    std::string junk = random_bytes(100000);
    (void)!::write(fd, junk.data(), junk.size());
    ::close(fd);
    CHECK(agent.alive());
    li::VmAgentClient client;
    client.connect(agent.sock, 10s);
    CHECK(client.exec({"echo", "ok"}, {}).stdout_data == "ok\n");
    CHECK(agent.alive());
}

TEST_CASE("vm agent protocol: a stale partial frame before the sync run and hello is skipped") {
    uint64_t old_session = 1, new_session = 2;
    std::string stale = vmagent::encode_frame(vmagent::MsgType::Stdin, 3, old_session, std::string(1000, 'x'));
    stale.resize(500);  // the old host went away mid-frame
    vmagent::FrameParser parser;
    parser.hunt(vmagent::MsgType::Hello);
    std::string first = vmagent::encode_frame(vmagent::MsgType::Hello, 0, old_session, vmagent::Writer().u32(1).take());
    parser.append(first.data(), first.size());
    REQUIRE(parser.next().has_value());
    parser.append(stale.data(), stale.size());
    CHECK(!parser.next().has_value());
    // The new host: zeros then its hello. The stale frame completes with zeros, fails its checksum.
    std::string zeros(vmagent::kSyncRun, '\0');
    parser.append(zeros.data(), zeros.size());
    std::string hello = vmagent::encode_frame(vmagent::MsgType::Hello, 0, new_session, vmagent::Writer().u32(1).take());
    parser.append(hello.data(), hello.size());
    bool violation = false;
    try {
        parser.next();
    } catch (const vmagent::ProtocolError&) {
        violation = true;
        parser.hunt(vmagent::MsgType::Hello);
    }
    CHECK(violation);
    auto f = parser.next();
    REQUIRE(f.has_value());
    CHECK(f->type == vmagent::MsgType::Hello);
    CHECK(f->session == new_session);
}

namespace {

// QEMU's part, emulated: the agent has a char device (a raw pty) as its port, and a relay copies
// between it and whichever host connection the unix socket accepted, one at a time. The port
// stream goes on across host connections, as a virtio port's does.
struct PortRelay {
    fs::path dir, sock;
    std::string slave_path;
    int master = -1, listen_fd = -1, stop_fd[2] = {-1, -1};
    pid_t agent = -1;
    std::thread thread;

    PortRelay() {
        char tmpl[] = "/tmp/li-vm-agent-port-XXXXXX";
        dir = ::mkdtemp(tmpl);
        sock = dir / "agent.sock";
        int slave = -1;
        REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
        termios t{};
        ::tcgetattr(slave, &t);
        ::cfmakeraw(&t);
        ::tcsetattr(slave, TCSANOW, &t);
        slave_path = ::ttyname(slave);
        listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, sock.c_str());
        REQUIRE(::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listen_fd, 4) == 0);
        REQUIRE(::pipe2(stop_fd, O_CLOEXEC) == 0);
        start_agent();
        ::close(slave);  // the agent opens its own
        thread = std::thread([this] { run(); });
    }
    void start_agent() {
        const char* bin = std::getenv("LIBINSTANCE_VM_AGENT");
        REQUIRE(bin);
        agent = ::fork();
        if (agent == 0) {
            ::execl(bin, bin, "--path", slave_path.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    /// The guest's init restarting the agent: the port and the host connection stay.
    void restart_agent() {
        ::kill(agent, SIGKILL);
        ::waitpid(agent, nullptr, 0);
        start_agent();
    }
    ~PortRelay() {
        (void)!::write(stop_fd[1], "x", 1);
        thread.join();
        ::kill(agent, SIGKILL);
        ::waitpid(agent, nullptr, 0);
        ::close(master);
        ::close(listen_fd);
        ::close(stop_fd[0]);
        ::close(stop_fd[1]);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void run() {
        int conn = -1;
        char buf[65536];
        for (;;) {
            pollfd p[3] = {{stop_fd[0], POLLIN, 0}, {conn >= 0 ? conn : listen_fd, POLLIN, 0}, {master, static_cast<short>(conn >= 0 ? POLLIN : 0), 0}};
            ::poll(p, 3, -1);
            if (p[0].revents) break;
            if (conn < 0 && p[1].revents) {
                conn = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
                continue;
            }
            if (conn >= 0 && p[1].revents) {
                ssize_t n = ::read(conn, buf, sizeof buf);
                if (n <= 0) {
                    ::close(conn);
                    conn = -1;
                    continue;
                }
                for (ssize_t off = 0; off < n;) {
                    ssize_t w = ::write(master, buf + off, static_cast<size_t>(n - off));
                    if (w > 0) off += w;
                }
            }
            if (conn >= 0 && (p[2].revents & POLLIN)) {
                ssize_t n = ::read(master, buf, sizeof buf);
                if (n > 0) (void)!::send(conn, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
            } else if (p[2].revents & (POLLHUP | POLLERR)) {
                std::this_thread::sleep_for(20ms);  // no agent has the port open (a restart)
            }
        }
        if (conn >= 0) ::close(conn);
    }
};

}  // namespace

TEST_CASE("vm agent on a port: a host gone mid-frame does not confuse the next one") {
    PortRelay relay;
    {
        li::VmAgentClient client;
        client.connect(relay.sock, 10s);
        CHECK(client.exec({"echo", "port"}, {}).stdout_data == "port\n");
    }
    // A host that says hello, then dies in the middle of a frame.
    int fd = connect_raw(relay.sock);
    uint64_t session = 77;
    std::string hello = std::string(vmagent::kSyncRun, '\0') +
                        vmagent::encode_frame(vmagent::MsgType::Hello, 0, session, vmagent::Writer().u32(1).take());
    for (size_t off = 0; off < hello.size();) {
        ssize_t n = ::write(fd, hello.data() + off, hello.size() - off);
        REQUIRE(n > 0);
        off += static_cast<size_t>(n);
    }
    std::this_thread::sleep_for(300ms);
    std::string exec = vmagent::encode_frame(vmagent::MsgType::Exec, 1, session,
                                             vmagent::Writer().list({"sleep", "1000"}).list({}).str("").u32(0).u32(0).u32(0).u32(0).u32(0).take());
    REQUIRE(::write(fd, exec.data(), exec.size() / 2) > 0);
    std::this_thread::sleep_for(200ms);
    ::close(fd);
    // The next host is served.
    li::VmAgentClient client;
    client.connect(relay.sock, 10s);
    li::ExecOptions o;
    o.stdin_data = random_bytes(2 * 1024 * 1024);
    auto r = client.exec({"cat"}, o);
    CHECK(r.stdout_data == *o.stdin_data);
    CHECK(::waitpid(relay.agent, nullptr, WNOHANG) == 0);
}

TEST_CASE("vm agent on a port: a restarted agent ends the host's session instead of leaving it waiting") {
    PortRelay relay;
    fs::path pid_file = relay.dir / "pid";
    li::VmAgentClient client;
    client.connect(relay.sock, 10s);
    std::string error;
    std::thread t([&] {
        try {
            client.exec({"sh", "-c", "echo $$ > " + pid_file.string() + "; exec sleep 1000"}, {});
        } catch (const li::Error& e) {
            error = e.what();
        }
    });
    for (int i = 0; i < 100 && !fs::exists(pid_file); ++i) std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(100ms);
    auto start = std::chrono::steady_clock::now();
    relay.restart_agent();
    t.join();
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(error.find("restarted") != std::string::npos);
    CHECK(!client.connected());
    if (fs::exists(pid_file)) ::kill(std::stoi(read_all(pid_file)), SIGKILL);  // the old agent's orphan
    li::VmAgentClient again;
    again.connect(relay.sock, 10s);
    CHECK(again.exec({"echo", "back"}, {}).stdout_data == "back\n");
}

TEST_CASE("vm agent protocol: mangled frames are refused or parsed, never more") {
    std::mt19937_64 rng(7);
    std::vector<std::string> frames;
    frames.push_back(vmagent::encode_frame(vmagent::MsgType::Exec, 1, 9,
                                           vmagent::Writer().list({"a", "b"}).list({"K=V"}).str("/").u32(0).u32(0).u32(1).u32(80).u32(24).take()));
    frames.push_back(vmagent::encode_frame(vmagent::MsgType::Stdin, 1, 9, std::string(3000, 'x')));
    frames.push_back(vmagent::encode_frame(vmagent::MsgType::Write, 3, 9, vmagent::Writer().str("/x").u32(15).u32(1).u32(2).u32(0644).take()));
    for (int round = 0; round < 20000; ++round) {
        std::string bytes = frames[rng() % frames.size()];
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
        if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
        vmagent::FrameParser parser;
        parser.lock(9);
        parser.append(bytes.data(), bytes.size());
        try {
            while (auto f = parser.next()) {
                // A frame that passed its CRC decodes with bounds or throws.
                vmagent::Reader r(f->payload);
                try {
                    (void)r.list();
                    (void)r.list();
                    (void)r.str();
                } catch (const vmagent::ProtocolError&) {
                }
            }
        } catch (const vmagent::ProtocolError&) {
        }
        // Random bytes of any length: a hunting parser finds no hello in them.
        std::string junk(rng() % 2000, '\0');
        for (auto& c : junk) c = static_cast<char>(rng());
        vmagent::FrameParser hunter;
        hunter.append(junk.data(), junk.size());
        CHECK_FALSE(hunter.next().has_value());
    }
}
