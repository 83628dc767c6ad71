// li_instance_exec_terminal: a command on a terminal of the instance, through the C ABI.

#include <cstdio>
#include <string>
#include <unistd.h>

#include "support.hpp"

using namespace capi_test;

namespace {

struct OnTerminal {
    int exit_code = -1;
    std::string shown;
};

OnTerminal run_on_terminal(li_instance* inst, std::initializer_list<const char*> args,
                           const li_exec_opts* opts, const li_terminal_opts* term) {
    std::vector<const char*> argv(args);
    argv.push_back(nullptr);
    li_exec_result* res = nullptr;
    expect_ok(CALL(li_instance_exec_terminal(&res, inst, argv.data(), opts, term, ERR)));
    REQUIRE(res != nullptr);
    ExecResultPtr owner{res};
    OnTerminal r;
    r.exit_code = li_exec_result_exit_code(res);
    size_t len = 0;
    const char* out = li_exec_result_stdout(res, &len);
    REQUIRE(out != nullptr);
    r.shown.assign(out, len);
    CHECK(li_exec_result_stderr(res, &len) != nullptr);
    CHECK(len == 0);  // a terminal merges the streams
    return r;
}

}  // namespace

TEST_SUITE("exec-terminal") {

TEST_CASE("a command on a terminal of the instance: tty, size, input, exit code") {
    auto name = unique_name("term");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    li_terminal_opts term = LI_TERMINAL_OPTS_INIT;
    term.width = 91;
    term.height = 27;
    {
        // Stopped: Conflict naming the instance, nothing returned.
        const char* argv[] = {"tty", nullptr};
        li_exec_result* res = nullptr;
        expect_fail(CALL(li_instance_exec_terminal(&res, i, argv, nullptr, &term, ERR)),
                    LI_ERR_CONFLICT, {name});
        CHECK(res == nullptr);
    }
    expect_ok(CALL(li_instance_start(i, nullptr, ERR)));

    // tty names the instance's devpts, stty the requested size; stderr shows on the terminal too.
    auto r = run_on_terminal(i, {"sh", "-c", "tty; stty size; echo to-err >&2; exit 7"}, nullptr,
                             &term);
    CHECK(r.exit_code == 7);
    CHECK(r.shown.find("/dev/pts/") != std::string::npos);
    CHECK(r.shown.find("27 91") != std::string::npos);
    CHECK(r.shown.find("to-err\r\n") != std::string::npos);  // the terminal's line ends

    // stdin_data is typed on the terminal; env, cwd and ids apply as for li_instance_exec.
    li_exec_opts opts = LI_EXEC_OPTS_INIT;
    const char* env[] = {"GREETING=hi", nullptr};
    opts.env = env;
    opts.cwd = "/tmp";
    opts.uid = 1000;
    const std::string keys = "echo $GREETING-$(pwd)-$(id -u); exit 4\n";
    opts.stdin_data = keys.data();
    opts.stdin_len = keys.size();
    r = run_on_terminal(i, {"sh"}, &opts, nullptr);
    CHECK(r.exit_code == 4);
    CHECK(r.shown.find("hi-/tmp-1000") != std::string::npos);

    // The caller's fds pumped: input from a pipe, the terminal's output into a file.
    int in[2];
    REQUIRE(::pipe(in) == 0);
    const std::string typed = "tty; exit 0\n";
    REQUIRE(::write(in[1], typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
    ::close(in[1]);
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    li_exec_opts fds = LI_EXEC_OPTS_INIT;
    fds.stdin_fd = in[0];
    fds.stdout_fd = ::fileno(f);
    r = run_on_terminal(i, {"sh"}, &fds, &term);
    ::close(in[0]);
    CHECK(r.exit_code == 0);
    CHECK(r.shown.empty());  // forwarded, not captured
    std::rewind(f);
    char buf[4096] = {};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    CHECK(std::string(buf, n).find("/dev/pts/") != std::string::npos);

    // Failures: a missing command, stderr_fd set, a bad struct version, NULL arguments.
    const char* missing[] = {"no-such-command", nullptr};
    li_exec_result* res = nullptr;
    expect_fail(CALL(li_instance_exec_terminal(&res, i, missing, nullptr, &term, ERR)),
                LI_ERR_NOT_FOUND, {"no-such-command"});
    CHECK(res == nullptr);
    li_exec_opts with_err = LI_EXEC_OPTS_INIT;
    with_err.stderr_fd = 2;
    expect_invalid(CALL(li_instance_exec_terminal(&res, i, missing, &with_err, &term, ERR)),
                   "opts.stderr_fd");
    li_terminal_opts bad = LI_TERMINAL_OPTS_INIT;
    bad.version = 99;
    expect_invalid(CALL(li_instance_exec_terminal(&res, i, missing, nullptr, &bad, ERR)),
                   "opts.version", {"li_terminal_opts"});
    expect_invalid(CALL(li_instance_exec_terminal(&res, nullptr, missing, nullptr, &term, ERR)),
                   "inst", {"inst"});
    expect_invalid(CALL(li_instance_exec_terminal(nullptr, i, missing, nullptr, &term, ERR)),
                   "out", {"out"});

    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_stop(i, &force, ERR)));
}

}  // TEST_SUITE
