// The console, the console log, log files and the resource state through the C ABI.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <poll.h>
#include <string>
#include <thread>
#include <unistd.h>

#include "support.hpp"

using namespace capi_test;

namespace {

struct ConsoleFree {
    void operator()(li_console* c) const noexcept { li_console_free(c); }
};
using ConsolePtr = std::unique_ptr<li_console, ConsoleFree>;

std::string read_until(int fd, const std::string& needle) {
    std::string seen;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
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

std::string take_bytes(char* data, size_t len) {
    std::string out(data, len);
    li_free(data);
    return out;
}

}  // namespace

TEST_SUITE("console") {

TEST_CASE("console attach, console log, log files and state through the C ABI") {
    auto name = unique_name("cons");
    auto inst = create_container(name);
    li_instance* i = inst.get();

    // Stopped: no console, but an (empty) console log and no error.
    li_console* raw = nullptr;
    expect_fail(CALL(li_instance_console(&raw, i, nullptr, ERR)), LI_ERR_CONFLICT, {name});
    CHECK(raw == nullptr);

    expect_ok(CALL(li_instance_start(i, nullptr, ERR)));
    li_console_opts opts = LI_CONSOLE_OPTS_INIT;
    opts.width = 120;
    opts.height = 40;
    expect_ok(CALL(li_instance_console(&raw, i, &opts, ERR)));
    ConsolePtr console{raw};
    int fd = li_console_fd(console.get());
    REQUIRE(fd >= 0);
    const std::string line = "echo hello-console-$((6*7)); stty size\n";
    REQUIRE(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    std::string out = read_until(fd, "40 120");
    CHECK(out.find("hello-console-42") != std::string::npos);
    CHECK(out.find("40 120") != std::string::npos);
    expect_ok(CALL(li_console_resize(console.get(), 81, 25, ERR)));
    CHECK(li_console_fd(nullptr) == -1);

    // A second client is refused while the first is attached, then served once it detaches.
    li_console* second = nullptr;
    expect_fail(CALL(li_instance_console(&second, i, nullptr, ERR)), LI_ERR_BUSY, {"console"});
    console.reset();
    expect_ok(CALL(li_instance_console(&second, i, nullptr, ERR)));
    li_console_free(second);
    li_console_free(nullptr);

    li_console_opts bad = LI_CONSOLE_OPTS_INIT;
    bad.version = 0;
    expect_invalid(CALL(li_instance_console(&raw, i, &bad, ERR)), "opts.version");

    char* data = nullptr;
    size_t len = 0;
    expect_ok(CALL(li_instance_console_log(&data, &len, i, ERR)));
    CHECK(take_bytes(data, len).find("hello-console-42") != std::string::npos);
    expect_ok(CALL(li_instance_console_log_clear(i, ERR)));
    expect_ok(CALL(li_instance_console_log(&data, nullptr, i, ERR)));
    CHECK(std::string(data).find("hello-console-42") == std::string::npos);
    li_free(data);

    char* json = nullptr;
    expect_ok(CALL(li_instance_log_files_json(&json, i, ERR)));
    auto files = take_json(json);
    CHECK(std::find(files.begin(), files.end(), "lxc.log") != files.end());
    CHECK(std::find(files.begin(), files.end(), "console.log") != files.end());
    expect_ok(CALL(li_instance_log_file(&data, &len, i, "lxc.log", ERR)));
    li_free(data);
    expect_invalid(CALL(li_instance_log_file(&data, &len, i, "../lxc.log", ERR)), "name", {"../lxc.log"});
    expect_invalid(CALL(li_instance_log_file(&data, &len, i, nullptr, ERR)), "name");
    expect_fail(CALL(li_instance_log_file(&data, &len, i, "missing.log", ERR)), LI_ERR_NOT_FOUND, {"missing.log"});

    expect_ok(CALL(li_instance_state_json(&json, i, ERR)));
    auto st = take_json(json);
    CHECK(st["processes"].get<int64_t>() > 0);
    CHECK(st["memory"]["usage"].get<int64_t>() > 0);
    CHECK(st["cpu"]["usage"].get<int64_t>() > 0);
    CHECK(st["disk"]["root"]["usage"].get<int64_t>() > 0);
    auto lo = st["network"]["lo"];
    CHECK(lo["type"] == "loopback");
    CHECK(lo["state"] == "up");
    CHECK(lo["counters"].contains("bytes_received"));
    CHECK(lo["counters"].contains("packets_dropped_inbound"));
    CHECK(lo["addresses"][0].contains("netmask"));

    li_delete_opts force = LI_DELETE_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_delete(i, &force, ERR)));
}

}  // TEST_SUITE
