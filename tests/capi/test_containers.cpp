// Real containers through the C ABI: lifecycle, exec and the failures users hit first.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

int status_of(li_instance* inst) {
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, inst, ERR)));
    return code;
}

struct Captured {
    int exit_code = -1;
    std::string out;
    std::string err;
};

Captured run(li_instance* inst, std::initializer_list<const char*> args,
             const li_exec_opts* opts = nullptr) {
    std::vector<const char*> argv(args);
    argv.push_back(nullptr);
    li_exec_result* res = nullptr;
    auto o = CALL(li_instance_exec(&res, inst, argv.data(), opts, ERR));
    expect_ok(o);
    REQUIRE(res != nullptr);
    ExecResultPtr owner{res};
    Captured c;
    c.exit_code = li_exec_result_exit_code(res);
    size_t len = 0;
    const char* out = li_exec_result_stdout(res, &len);
    REQUIRE(out != nullptr);
    c.out.assign(out, len);
    CHECK(out[len] == '\0');  // a C string too
    const char* err = li_exec_result_stderr(res, &len);
    REQUIRE(err != nullptr);
    c.err.assign(err, len);
    CHECK(err[len] == '\0');
    return c;
}

}  // namespace

TEST_SUITE("containers") {

TEST_CASE("create, start, exec, stop and delete a busybox container") {
    auto name = unique_name("life");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    CHECK(std::string(li_instance_name(i)) == name);
    CHECK(std::string(li_instance_project(i)) == "default");
    CHECK(status_of(i) == 102);
    CHECK(fs::is_directory(container_dir(name)));

    char* json = nullptr;
    expect_ok(CALL(li_instance_get_json(&json, i, ERR)));
    auto doc = take_json(json);
    CHECK(doc.at("name") == name);
    CHECK(doc.at("status") == "Stopped");
    CHECK(doc.at("type") == "container");

    expect_ok(CALL(li_instance_start(i, nullptr, ERR)));
    CHECK(status_of(i) == 103);
    expect_fail(CALL(li_instance_start(i, nullptr, ERR)), LI_ERR_CONFLICT, {name});

    expect_ok(CALL(li_instance_state_json(&json, i, ERR)));
    auto state = take_json(json);
    CHECK(state.at("status") == "Running");
    CHECK(state.at("status_code") == 103);
    CHECK(state.at("pid").get<int64_t>() > 0);

    {
        auto c = run(i, {"uname", "-a"});
        CHECK(c.exit_code == 0);
        CHECK_FALSE(c.out.empty());
        CHECK(c.out.find("Linux") != std::string::npos);
    }
    {
        auto c = run(i, {"sh", "-c", "echo err >&2; exit 3"});
        CHECK(c.exit_code == 3);
        CHECK(c.err == "err\n");
        CHECK(c.out.empty());
    }
    {
        const char* env_vars[] = {"FOO=bar baz", "EMPTY=", nullptr};
        static const char input[] = "line one\nline\0two\n";  // binary-safe: an embedded NUL
        li_exec_opts opts = LI_EXEC_OPTS_INIT;
        opts.env = env_vars;
        opts.cwd = "/tmp";
        opts.stdin_data = input;
        opts.stdin_len = sizeof input - 1;
        auto c = run(i, {"sh", "-c", "echo \"$FOO|${EMPTY-unset}|\"; pwd; cat"}, &opts);
        CHECK(c.exit_code == 0);
        CHECK(c.out == "bar baz||\n/tmp\n" + std::string(input, sizeof input - 1));
    }
    {
        // Without a cwd the command runs in /root, as the header says.
        auto c = run(i, {"pwd"});
        CHECK(c.out == "/root\n");
    }
    {
        // stdout redirected to a caller's fd is written there, not captured.
        FILE* f = std::tmpfile();
        REQUIRE(f != nullptr);
        li_exec_opts opts = LI_EXEC_OPTS_INIT;
        opts.stdout_fd = fileno(f);
        auto c = run(i, {"echo", "to the fd"}, &opts);
        CHECK(c.exit_code == 0);
        CHECK(c.out.empty());
        std::rewind(f);
        char buf[64] = {};
        size_t n = std::fread(buf, 1, sizeof buf - 1, f);
        std::fclose(f);
        CHECK(std::string(buf, n) == "to the fd\n");
    }
    {
        auto c = run(i, {"sh", "-c", "kill -9 $$"});
        CHECK(c.exit_code == 128 + 9);
    }
    {
        const char* argv[] = {"no-such-command", nullptr};
        li_exec_result* res = nullptr;
        expect_fail(CALL(li_instance_exec(&res, i, argv, nullptr, ERR)), LI_ERR_NOT_FOUND,
                    {"no-such-command"});
        CHECK(res == nullptr);
        const char* bad_env[] = {"NOEQUALS", nullptr};
        li_exec_opts opts = LI_EXEC_OPTS_INIT;
        opts.env = bad_env;
        expect_invalid(CALL(li_instance_exec(&res, i, argv, &opts, ERR)), "opts.env",
                       {"NOEQUALS"});
        const char* empty[] = {nullptr};
        expect_invalid(CALL(li_instance_exec(&res, i, empty, nullptr, ERR)), "argv", {"argv"});
    }

    // Listing with state shows it running; without, no state is attached.
    expect_ok(CALL(li_instance_list_json(&json, env().mgr.get(), nullptr, LI_LIST_WITH_STATE,
                                         ERR)));
    bool found = false;
    for (const auto& item : take_json(json)) {
        if (item.at("name") == name) {
            found = true;
            REQUIRE(item.contains("state"));
            CHECK(item.at("state").at("status") == "Running");
        }
    }
    CHECK(found);
    expect_ok(CALL(li_instance_list_json(&json, env().mgr.get(), nullptr, 0, ERR)));
    for (const auto& item : take_json(json)) {
        if (item.at("name") == name) {
            CHECK((!item.contains("state") || item.at("state").is_null()));
        }
    }

    // Deleting a running container needs force.
    expect_fail(CALL(li_instance_delete(i, nullptr, ERR)), LI_ERR_CONFLICT, {name});
    CHECK(status_of(i) == 103);

    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_restart(i, &force, ERR)));
    CHECK(status_of(i) == 103);
    CHECK(run(i, {"true"}).exit_code == 0);

    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.timeout_seconds = 10;
    expect_ok(CALL(li_instance_stop(i, &stop, ERR)));
    CHECK(status_of(i) == 102);
    expect_fail(CALL(li_instance_stop(i, &stop, ERR)), LI_ERR_CONFLICT, {name});
    {
        const char* argv[] = {"true", nullptr};
        li_exec_result* res = nullptr;
        expect_fail(CALL(li_instance_exec(&res, i, argv, nullptr, ERR)), LI_ERR_CONFLICT, {name});
        CHECK(res == nullptr);
    }

    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
    CHECK_FALSE(listed(name));
    CHECK_FALSE(fs::exists(container_dir(name)));
    // The handle stays valid but finds nothing.
    CHECK(std::string(li_instance_name(i)) == name);
    expect_fail(CALL(li_instance_get_json(&json, i, ERR)), LI_ERR_NOT_FOUND, {name});
    li_instance* again = nullptr;
    expect_fail(CALL(li_instance_get(&again, env().mgr.get(), nullptr, name.c_str(), ERR)),
                LI_ERR_NOT_FOUND, {name});
    CHECK(again == nullptr);
}

TEST_CASE("the exec agent policy: set, read back, refused words, and execs through the agent") {
    li_manager* mgr = env().mgr.get();
    char* word = nullptr;
    expect_ok(CALL(li_manager_get_exec_agent_policy(&word, mgr, ERR)));
    CHECK(std::string(word) == "on-demand");  // the library's default
    li_free(word);
    expect_invalid(CALL(li_manager_set_exec_agent_policy(mgr, "sometimes", ERR)), "policy");
    expect_invalid(CALL(li_manager_set_exec_agent_policy(mgr, nullptr, ERR)), "policy");

    auto name = unique_name("agent");
    auto inst = create_container(name);
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    const char* count_agents = "n=0; for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = li-exec-agent ] && ! grep -q '^State:.*Z' $p/status 2>/dev/null && n=$((n+1)); done; echo $n";
    CHECK(run(inst.get(), {"echo", "via the agent"}).out == "via the agent\n");
    CHECK(run(inst.get(), {"sh", "-c", count_agents}).out == "1\n");

    expect_ok(CALL(li_manager_set_exec_agent_policy(mgr, "off", ERR)));
    expect_ok(CALL(li_manager_get_exec_agent_policy(&word, mgr, ERR)));
    CHECK(std::string(word) == "off");
    li_free(word);
    std::string left = "1\n";
    for (int i = 0; i < 50 && left != "0\n"; i++) {  // its socket closed: it exits
        left = run(inst.get(), {"sh", "-c", count_agents}).out;
        if (left != "0\n") usleep(100000);
    }
    CHECK(left == "0\n");
    expect_ok(CALL(li_manager_set_exec_agent_policy(mgr, "on-demand", ERR)));
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(inst.get(), &del, ERR)));
}

TEST_CASE("force delete stops a running container") {
    auto name = unique_name("force");
    auto inst = create_container(name);
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(inst.get(), &del, ERR)));
    CHECK_FALSE(listed(name));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

TEST_CASE("li_instance_get returns a working handle on an existing container") {
    auto name = unique_name("get");
    auto created = create_container(name);
    li_instance* got = nullptr;
    expect_ok(CALL(li_instance_get(&got, env().mgr.get(), nullptr, name.c_str(), ERR)));
    REQUIRE(got != nullptr);
    InstancePtr owner{got};
    CHECK(std::string(li_instance_name(got)) == name);
    // A start through one handle is seen through the other.
    expect_ok(CALL(li_instance_start(got, nullptr, ERR)));
    CHECK(status_of(created.get()) == 103);
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(created.get(), &del, ERR)));
    expect_fail(CALL(li_instance_start(got, nullptr, ERR)), LI_ERR_NOT_FOUND, {name});
}

TEST_CASE("failed creates report the offending value and leave nothing behind") {
    li_manager* mgr = env().mgr.get();
    auto before = instance_names(mgr);
    li_instance* inst = nullptr;

    SUBCASE("unknown image alias") {
        auto name = unique_name("noimg");
        expect_fail(CALL(li_instance_create_json(&inst, mgr, nullptr,
                                                 post_json(name, "no-such-alias").c_str(), ERR)),
                    LI_ERR_NOT_FOUND, {"no-such-alias"});
        CHECK_FALSE(fs::exists(container_dir(name)));
    }
    SUBCASE("invalid names") {
        for (const std::string& bad :
             std::vector<std::string>{"../x", "a b", "", "-lead", std::string(64, 'a')}) {
            CAPTURE(bad);
            auto o = CALL(li_instance_create_json(&inst, mgr, nullptr, post_json(bad).c_str(), ERR));
            if (bad.empty()) {
                expect_invalid(o, "name");
            } else {
                expect_invalid(o, "name", {bad});
            }
        }
        CHECK_FALSE(fs::exists(container_dir("x")));
        CHECK_FALSE(fs::exists(container_dir("..") / "x"));
        CHECK_FALSE(fs::exists(container_dir("a b")));
    }
    SUBCASE("malformed documents") {
        expect_fail(CALL(li_instance_create_json(&inst, mgr, nullptr, "{\"name\": ", ERR)),
                    LI_ERR_INVALID_ARGUMENT);
        expect_invalid(CALL(li_instance_create_json(&inst, mgr, nullptr, "{\"name\": 5}", ERR)),
                       "name");
    }
    SUBCASE("duplicate name") {
        auto name = unique_name("dup");
        auto first = create_container(name);
        expect_fail(CALL(li_instance_create_json(&inst, mgr, nullptr, post_json(name).c_str(), ERR)),
                    LI_ERR_ALREADY_EXISTS, {name});
        // The existing container is untouched.
        CHECK(status_of(first.get()) == 102);
        CHECK(fs::is_directory(container_dir(name)));
        expect_ok(CALL(li_instance_delete(first.get(), nullptr, ERR)));
    }
    CHECK(inst == nullptr);
    CHECK(instance_names(mgr) == before);
}

}  // TEST_SUITE
