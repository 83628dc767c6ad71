// Exec through the container's exec agent (ADR 0011): the same results as liblxc's attach, an
// agent that hides the host's paths, survives restarts and kills, and follows the policy.
#include <doctest.h>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <thread>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

// How many live exec agents the container has (a killed one stays a zombie until its init reaps it).
int agents_in(Instance& c) {
    auto ps = c.exec({"sh", "-c", "n=0; for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = li-exec-agent ] && ! grep -q '^State:.*Z' $p/status 2>/dev/null && n=$((n+1)); done; echo $n"});
    return std::atoi(ps.stdout_data.c_str());
}

// Waits up to 10 s for the container to show `want` agents.
bool wait_for_agents(Instance& c, int want) {
    for (int i = 0; i < 100; i++) {
        if (agents_in(c) == want) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

struct PolicyGuard {
    ExecAgentPolicy saved = (*shared().mgr).exec_agent_policy();
    ~PolicyGuard() { (*shared().mgr).set_exec_agent_policy(saved); }
};

}  // namespace

TEST_CASE("exec through the agent gives what an attach gives") {
    PolicyGuard guard;
    (*shared().mgr).set_exec_agent_policy(ExecAgentPolicy::OnDemand);
    Instance c = launch("agent1");
    auto first = c.exec({"sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(first.exit_code == 3);
    CHECK(first.stdout_data == "out\n");
    CHECK(first.stderr_data == "err\n");
    CHECK(agents_in(c) == 1);

    // Its command line shows no host path (the helper's, the state directory's).
    auto cmdline = c.exec({"sh", "-c", "for p in /proc/[0-9]*; do grep -q '^li-exec-agent$' $p/comm 2>/dev/null && tr '\\0' ' ' < $p/cmdline; done"});
    CHECK(cmdline.stdout_data.find("li-exec-agent") != std::string::npos);
    CHECK(cmdline.stdout_data.find('/') == std::string::npos);

    ExecOptions opts;
    opts.stdin_data = "fed to stdin";
    CHECK(c.exec({"cat"}, opts).stdout_data == "fed to stdin");
    ExecOptions env;
    env.env = {"GREETING=hi"};
    env.cwd = "/tmp";
    env.uid = 1000;
    env.gid = 1000;
    auto who = c.exec({"sh", "-c", "echo \"$GREETING\"; pwd; id -u; id -g; echo $PATH"}, env);
    CHECK(who.stdout_data == "hi\n/tmp\n1000\n1000\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
    CHECK(c.exec({"sh", "-c", "kill -9 $$"}).exit_code == 137);
    CHECK_THROWS_AS(c.exec({"no-such-command"}), Error);

    // The commands are in the container's cgroups (the agent's), not the host's.
    auto cg = c.exec({"cat", "/proc/self/cgroup"});
    CHECK(cg.stdout_data.find(":/\n") != std::string::npos);  // the root of its cgroup namespace

    // on_started gets the host pid of the command itself.
    ExecOptions started;
    std::string seen;
    started.on_started = [&](int pid) {
        std::ifstream comm(fmt::format("/proc/{}/comm", pid));
        std::getline(comm, seen);
    };
    CHECK(c.exec({"sleep", "1"}, started).exit_code == 0);
    CHECK(seen == "sleep");
    CHECK(agents_in(c) == 1);  // all of it through the one agent
    c.remove({.force = true});
}

TEST_CASE("a killed agent and a restarted container get a new agent") {
    PolicyGuard guard;
    (*shared().mgr).set_exec_agent_policy(ExecAgentPolicy::OnDemand);
    Instance c = launch("agent2");
    CHECK(c.exec({"true"}).exit_code == 0);
    // Root in the container can kill it: the next exec starts another one. (Killed while a command
    // of its runs, that command's exit status is lost: the exec fails, saying so. Here the kill
    // comes after the command that asks for it ended.)
    c.exec({"sh", "-c", "(sleep 0.3; for p in /proc/[0-9]*; do grep -q '^li-exec-agent$' $p/comm 2>/dev/null && kill -9 ${p#/proc/}; done) >/dev/null 2>&1 &"});
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    CHECK(c.exec({"echo", "again"}).stdout_data == "again\n");
    CHECK(agents_in(c) == 1);
    c.restart({.force = true});
    CHECK(c.exec({"echo", "after restart"}).stdout_data == "after restart\n");
    CHECK(agents_in(c) == 1);
    c.remove({.force = true});
}

TEST_CASE("the exec agent policy: at-start starts it with the container, off stops it") {
    PolicyGuard guard;
    (*shared().mgr).set_exec_agent_policy(ExecAgentPolicy::AtStart);
    CHECK((*shared().mgr).exec_agent_policy() == ExecAgentPolicy::AtStart);
    Instance c = launch("agent3");
    // Counting with an exec would start one on demand: look from the host, for an agent in the
    // container's pid namespace.
    std::string container_ns = std::filesystem::read_symlink(fmt::format("/proc/{}/ns/pid", c.state().pid)).string();
    auto agent_pids = [&] {
        int count = 0;
        for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
            std::ifstream comm(entry.path() / "comm");
            std::string name;
            std::error_code ec;
            if (std::getline(comm, name) && name == "li-exec-agent" &&
                std::filesystem::read_symlink(entry.path() / "ns" / "pid", ec).string() == container_ns)
                count++;
        }
        return count;
    };
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        seen = agent_pids() == 1;
        if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(seen);
    CHECK(agents_in(c) == 1);

    (*shared().mgr).set_exec_agent_policy(ExecAgentPolicy::Off);
    CHECK(wait_for_agents(c, 0));  // its socket closed: it exited (and the container's init reaped it)
    CHECK(c.exec({"echo", "attached"}).stdout_data == "attached\n");
    CHECK(agents_in(c) == 0);
    c.remove({.force = true});
}
