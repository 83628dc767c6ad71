#include <doctest.h>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>

#include "integration/shared_manager.hpp"
#include "sys/cgroup.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

TEST_CASE("launch, exec, stop, start, restart and delete a real container") {
    Instance c = launch("life1");
    auto st = c.state();
    CHECK(st.status == "Running");
    CHECK(st.status_code == 103);
    CHECK(st.pid > 0);
    CHECK(st.processes >= 1);
    CHECK(st.memory.usage > 0);

    auto uname = c.exec({"uname", "-a"});
    CHECK(uname.exit_code == 0);
    CHECK(uname.stdout_data.find("life1") != std::string::npos);
    CHECK(c.exec({"cat", "/etc/hostname"}).stdout_data == "life1\n");
    CHECK(c.exec({"id", "-u"}).stdout_data == "0\n");

    // Unprivileged: container root is a subordinate id on the host.
    std::ifstream uid_map(fmt::format("/proc/{}/uid_map", st.pid));
    std::stringstream map;
    map << uid_map.rdbuf();
    uint64_t inside = 1, outside = 0;
    map >> inside >> outside;
    CHECK(inside == 0);
    CHECK(outside >= 65536);

    auto info = c.info();
    CHECK(info.name == "life1");
    CHECK(info.status == "Running");
    CHECK(info.profiles == std::vector<std::string>{"default"});
    CHECK(info.expanded_devices.at("root").at("pool") == "default");
    CHECK(info.config.at("volatile.base_image").size() == 64);

    auto begin = std::chrono::steady_clock::now();
    c.stop();
    auto took = std::chrono::steady_clock::now() - begin;
    CHECK(c.state().status == "Stopped");
    CHECK(took < std::chrono::seconds(10));  // busybox halts on SIGUSR1, no kill timeout
    CHECK_FALSE(lxc_cgroups_exist("life1"));

    c.start();
    CHECK(c.state().status == "Running");
    pid_t before = static_cast<pid_t>(c.state().pid);
    StopOptions force;
    force.force = true;
    c.restart(force);
    CHECK(c.state().status == "Running");
    CHECK(c.state().pid != before);

    DeleteOptions del;
    del.force = true;
    c.remove(del);
    CHECK_FALSE(instance_exists("life1"));
    CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools/default/containers/life1"));
    CHECK_FALSE(lxc_cgroups_exist("life1"));
}

TEST_CASE("exec reports exit status, separates stdout and stderr, feeds stdin, sets env and cwd") {
    Instance c = launch("exec1");
    auto r = c.exec({"sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(r.exit_code == 3);
    CHECK(r.stdout_data == "out\n");
    CHECK(r.stderr_data == "err\n");

    ExecOptions opts;
    opts.stdin_data = "hello from stdin";
    CHECK(c.exec({"cat"}, opts).stdout_data == "hello from stdin");

    ExecOptions env;
    env.env = {"GREETING=hi there"};
    env.cwd = "/tmp";
    auto e = c.exec({"sh", "-c", "echo \"$GREETING\"; pwd; echo $HOME"}, env);
    CHECK(e.stdout_data == "hi there\n/tmp\n/root\n");

    CHECK(c.exec({"sh", "-c", "kill -9 $$"}).exit_code == 137);

    // A server left in the background keeps stdout open; exec still ends with its command.
    auto started = std::chrono::steady_clock::now();
    auto bg = c.exec({"sh", "-c", "echo started; sleep 60 & echo $! > /tmp/bg.pid; exit 4"});
    CHECK(bg.exit_code == 4);
    CHECK(bg.stdout_data == "started\n");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
    CHECK(c.exec({"sh", "-c", "kill -0 $(cat /tmp/bg.pid)"}).exit_code == 0);

    try {
        c.exec({"no-such-command"});
        FAIL("exec of a missing command succeeded");
    } catch (const Error& err) {
        CHECK(err.code() == ErrorCode::NotFound);
        CHECK(std::string(err.what()).find("no-such-command") != std::string::npos);
    }
    DeleteOptions del;
    del.force = true;
    c.remove(del);
}

TEST_CASE("an ephemeral instance is deleted when stopped") {
    api::InstancesPost post;
    post.name = "eph1";
    post.source.alias = "busybox";
    post.ephemeral = true;
    post.start = true;
    Instance c = shared().mgr->instances().create("default", post);
    CHECK(c.info().ephemeral);
    StopOptions force;
    force.force = true;
    c.stop(force);
    CHECK_FALSE(instance_exists("eph1"));
}

TEST_CASE("list reports every instance with its state") {
    launch("list-a");
    launch("list-b", false);
    auto all = shared().mgr->instances().list("default", true);
    std::map<std::string, api::Instance> by_name;
    for (auto& i : all) by_name[i.name] = i;
    REQUIRE(by_name.count("list-a"));
    REQUIRE(by_name.count("list-b"));
    CHECK(by_name["list-a"].status == "Running");
    REQUIRE(by_name["list-a"].state.has_value());
    CHECK(by_name["list-a"].state->pid > 0);
    CHECK(by_name["list-b"].status == "Stopped");
    DeleteOptions del;
    del.force = true;
    shared().mgr->instances().get("default", "list-a").remove(del);
    shared().mgr->instances().get("default", "list-b").remove(del);
    CHECK(shared().mgr->instances().list("default").empty());
}
