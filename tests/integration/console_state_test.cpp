// Console attach, the console log, log files, the resource state and environment.* reaching exec.
#include <doctest.h>
#include <algorithm>
#include <chrono>
#include <poll.h>
#include <thread>
#include <unistd.h>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;
using namespace std::chrono_literals;

namespace {

// Reads the console until `needle` shows up or the deadline passes; returns all that was read.
std::string read_until(int fd, const std::string& needle, std::chrono::milliseconds timeout = 10s) {
    std::string seen;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (seen.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        char buf[4096];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        seen.append(buf, static_cast<size_t>(n));
    }
    return seen;
}

void write_all(int fd, const std::string& text) {
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

int64_t lo_packets(Instance& c) { return c.state().network.at("lo").counters.packets_received; }

}  // namespace

TEST_CASE("the console: attach, type a command, read its output, detach, attach again") {
    Instance c = launch("cons1");
    {
        Console console = c.console(ConsoleOptions{100, 30});
        REQUIRE(console.attached());
        // The answer is computed by the shell, so finding it proves the command ran (the echo of
        // the typed line holds only the expression).
        write_all(console.fd(), "echo hello-console-$((6*7))\n");
        std::string out = read_until(console.fd(), "hello-console-42");
        CHECK(out.find("hello-console-42") != std::string::npos);
        write_all(console.fd(), "stty size\n");
        CHECK(read_until(console.fd(), "30 100").find("30 100") != std::string::npos);

        // One client at a time, as with lxc.
        try {
            c.console();
            FAIL("a second client attached");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::Busy);
            CHECK(std::string(e.what()).find("console") != std::string::npos);
        }
        console.detach();
        CHECK_FALSE(console.attached());
        console.detach();  // idempotent
    }
    Console again = c.console();
    write_all(again.fd(), "echo again-$((1+1))\n");
    CHECK(read_until(again.fd(), "again-2").find("again-2") != std::string::npos);
    again.detach();

    // What the console printed is in the console log, and clearing empties it.
    auto log = c.console_log();
    CHECK(log.find("hello-console-42") != std::string::npos);
    c.exec({"sh", "-c", "echo written-to-dev-console > /dev/console"});
    std::string with_write;
    for (int i = 0; i < 50 && with_write.find("written-to-dev-console") == std::string::npos; i++) {
        with_write = c.console_log();
        std::this_thread::sleep_for(100ms);
    }
    CHECK(with_write.find("written-to-dev-console") != std::string::npos);
    c.clear_console_log();
    CHECK(c.console_log().find("hello-console-42") == std::string::npos);

    StopOptions force;
    force.force = true;
    c.stop(force);
    try {
        c.console();
        FAIL("attached to a stopped instance");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Conflict);
    }
    c.remove();
}

TEST_CASE("log files: listed, read, names validated") {
    Instance c = launch("logs1");
    auto names = c.log_files();
    CHECK(std::find(names.begin(), names.end(), "lxc.log") != names.end());
    CHECK(std::find(names.begin(), names.end(), "console.log") != names.end());
    CHECK_NOTHROW(c.log_file("lxc.log"));
    // The console log is a log file too, with the shell's prompt once it started.
    std::string console;
    for (int i = 0; i < 50 && console.empty(); i++) {
        console = c.log_file("console.log");
        std::this_thread::sleep_for(100ms);
    }
    CHECK_FALSE(console.empty());

    for (const char* bad : {"../lxc.log", "..", "/etc/passwd", "a/b", ""}) {
        CAPTURE(bad);
        try {
            c.log_file(bad);
            FAIL("accepted a bad log name");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            CHECK(e.key() == "name");
        }
    }
    try {
        c.log_file("nosuch.log");
        FAIL("read a missing log");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(std::string(e.what()).find("nosuch.log") != std::string::npos);
    }
    c.remove(DeleteOptions{true});
}

TEST_CASE("state: processes, memory, CPU, disk and loopback counters are real") {
    Instance c = launch("state1");
    // The image's init brings lo up a moment after the start returns: wait for it (at most 10 s).
    auto st = c.state();
    for (int i = 0; i < 100 && !(st.network.count("lo") && st.network.at("lo").state == "up"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        st = c.state();
    }
    CHECK(st.processes > 0);
    CHECK(st.memory.usage > 0);
    CHECK(st.memory.usage_peak >= st.memory.usage);
    CHECK(st.memory.swap_usage >= 0);

    int64_t cpu_before = st.cpu.usage;
    auto busy = c.exec({"sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"});
    CHECK(busy.exit_code == 0);
    CHECK(c.state().cpu.usage > cpu_before);

    REQUIRE(st.network.count("lo") == 1);
    const auto& lo = st.network.at("lo");
    CHECK(lo.type == "loopback");
    CHECK(lo.state == "up");
    CHECK(lo.mtu > 0);
    bool has_v4 = false;
    for (const auto& a : lo.addresses) has_v4 |= a.family == "inet" && a.address == "127.0.0.1" && a.netmask == "8" && a.scope == "local";
    CHECK(has_v4);

    int64_t packets = lo_packets(c);
    auto ping = c.exec({"ping", "-c", "3", "-W", "1", "127.0.0.1"});
    CHECK_MESSAGE(ping.exit_code == 0, ping.stderr_data);
    CHECK(lo_packets(c) >= packets + 3);
    CHECK(c.state().network.at("lo").counters.bytes_sent > 0);

    REQUIRE(st.disk.count("root") == 1);
    int64_t disk_before = st.disk.at("root").usage;
    CHECK(c.exec({"dd", "if=/dev/zero", "of=/root/filler", "bs=1024", "count=1024"}).exit_code == 0);
    c.exec({"sync"});
    CHECK(c.state().disk.at("root").usage >= disk_before + 1000 * 1024);

    StopOptions force;
    force.force = true;
    c.stop(force);
    auto stopped = c.state();
    CHECK(stopped.processes == 0);
    CHECK(stopped.network.empty());
    c.remove();
}

TEST_CASE("environment.* config reaches exec, and exec's own env wins") {
    api::InstancesPost post;
    post.name = "env1";
    post.source.alias = "busybox";
    post.config = {{"environment.FOO", "bar"}, {"environment.BOTH", "from-config"}};
    post.start = true;
    Instance c = shared().mgr->instances().create("default", post);
    CHECK(c.exec({"sh", "-c", "echo $FOO"}).stdout_data == "bar\n");
    ExecOptions opts;
    opts.env = {"BOTH=from-exec"};
    CHECK(c.exec({"sh", "-c", "echo $BOTH $FOO"}, opts).stdout_data == "from-exec bar\n");
    // The container's init has them too (lxc.environment), so services see them as well.
    CHECK(c.exec({"sh", "-c", "tr '\\0' '\\n' < /proc/1/environ | grep ^FOO="}).stdout_data == "FOO=bar\n");
    c.remove(DeleteOptions{true});
}
