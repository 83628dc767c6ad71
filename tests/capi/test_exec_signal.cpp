// li_exec_control: another thread signals the command of a running li_instance_exec() or
// li_instance_exec_terminal() in a real container.

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "support.hpp"

using namespace capi_test;

namespace {

struct ControlFree {
    void operator()(li_exec_control* c) const noexcept { li_exec_control_free(c); }
};
using ControlPtr = std::unique_ptr<li_exec_control, ControlFree>;

// Traps TERM, says it is ready, then waits forever: only the signal ends it (exit 7).
const char* const kTrapper[] = {
    "sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done", nullptr};

/// Reads fd into out until it holds want or 30 s passed; true when found.
bool read_until(int fd, std::string& out, const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    char buf[512];
    while (out.find(want) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return false;
        out.append(buf, static_cast<size_t>(n));
    }
    return true;
}

/// Runs kTrapper (on a terminal when term is set) with control, its output in a pipe; once
/// "ready" shows, checks a second exec cannot take the busy control, sends SIGTERM and returns
/// the exit code and all the output.
std::pair<int, std::string> trap_and_terminate(li_instance* inst, li_exec_control* control,
                                               const li_terminal_opts* term) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    li_exec_opts opts = LI_EXEC_OPTS_INIT;
    opts.stdout_fd = fds[1];
    opts.control = control;
    Outcome outcome;
    li_exec_result* res = nullptr;
    std::atomic<bool> done{false};
    std::thread runner([&] {
        outcome = term ? CALL(li_instance_exec_terminal(&res, inst, kTrapper, &opts, term, ERR))
                       : CALL(li_instance_exec(&res, inst, kTrapper, &opts, ERR));
        done = true;
    });
    std::string shown;
    bool ready = read_until(fds[0], shown, "ready");
    CHECK_MESSAGE(ready, "no \"ready\" within 30 s: " << shown);
    if (ready) {
        // One control serves one exec at a time.
        li_exec_opts again = LI_EXEC_OPTS_INIT;
        again.control = control;
        li_exec_result* other = nullptr;
        const char* const echo[] = {"true", nullptr};
        expect_fail(CALL(li_instance_exec(&other, inst, echo, &again, ERR)), LI_ERR_CONFLICT, {"opts.control"});
        CHECK(other == nullptr);
    }
    // Not ready: kill so the runner ends instead of hanging the suite. The command can print
    // before the library learnt it started (Conflict "not started yet"): then try again.
    auto sent = CALL(li_exec_control_signal(control, ready ? SIGTERM : SIGKILL, ERR));
    for (int tries = 0; sent.code == LI_ERR_CONFLICT && sent.message.find("not started") != std::string::npos
                        && tries < 200; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        sent = CALL(li_exec_control_signal(control, ready ? SIGTERM : SIGKILL, ERR));
    }
    expect_ok(sent);
    // A signal that did not arrive fails the exit code check (137) instead of hanging.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!done) li_exec_control_signal(control, SIGKILL, nullptr);
    runner.join();
    ::close(fds[1]);
    read_until(fds[0], shown, "\n\n");  // to EOF: the pattern never shows up
    ::close(fds[0]);
    expect_ok(outcome);
    ExecResultPtr owner{res};
    return {res ? li_exec_result_exit_code(res) : -1, shown};
}

}  // namespace

TEST_SUITE("exec-signal") {

TEST_CASE("li_exec_control signals a running exec's command, plain and on a terminal") {
    auto name = unique_name("sig");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    expect_ok(CALL(li_instance_start(i, nullptr, ERR)));
    ControlPtr control{li_exec_control_new()};
    REQUIRE(control != nullptr);

    // No exec uses it yet, and a bad signal number is refused whatever the state.
    expect_fail(CALL(li_exec_control_signal(control.get(), SIGTERM, ERR)), LI_ERR_CONFLICT, {"no exec"});
    expect_invalid(CALL(li_exec_control_signal(control.get(), 0, ERR)), "sig", {"0"});
    expect_invalid(CALL(li_exec_control_signal(nullptr, SIGTERM, ERR)), "control");

    auto [code, out] = trap_and_terminate(i, control.get(), nullptr);
    CHECK(code == 7);
    CHECK_MESSAGE(out.find("got-term") != std::string::npos, out);

    // After the exec returned there is nothing to signal.
    auto late = CALL(li_exec_control_signal(control.get(), SIGTERM, ERR));
    expect_fail(late, LI_ERR_CONFLICT, {"ended"});
    CHECK(late.key == "control");

    // The control is reused for a command on a terminal.
    li_terminal_opts term = LI_TERMINAL_OPTS_INIT;
    auto [tcode, tout] = trap_and_terminate(i, control.get(), &term);
    CHECK(tcode == 7);
    CHECK_MESSAGE(tout.find("got-term") != std::string::npos, tout);

    // A version-1 struct has no control field: whatever follows gid is not read.
    li_exec_opts v1 = LI_EXEC_OPTS_INIT;
    v1.version = 1;
    v1.control = reinterpret_cast<li_exec_control*>(0x1);
    li_exec_result* res = nullptr;
    const char* const echo[] = {"echo", "v1", nullptr};
    expect_ok(CALL(li_instance_exec(&res, i, echo, &v1, ERR)));
    ExecResultPtr owner{res};
    CHECK(li_exec_result_exit_code(res) == 0);

    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_stop(i, &force, ERR)));
}

}  // TEST_SUITE
