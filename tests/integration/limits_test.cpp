// Resource limits and security keys on real containers: each checked where it takes effect (the
// container's cgroup files seen from the host, the container's own view, refused forks/syscalls).
#include <chrono>
#include <csignal>
#include <thread>
#include <doctest.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

Instance launch_with(const std::string& name, const api::ConfigMap& config, bool start = true) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.config = config;
    post.start = start;
    return shared().mgr->instances().create("default", post);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

bool v2_controller(const std::string& controller) {
    std::ifstream in("/proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        std::stringstream list(line.substr(a + 1, b - a - 1));
        for (std::string c; std::getline(list, c, ',');)
            if (c == controller) return false;
    }
    return true;
}

// A cgroup file of the process's cgroup, found through /proc/PID/cgroup: the v1 hierarchy holding
// the controller, else the unified one.
std::string host_cgroup_file(int64_t pid, const std::string& controller, const std::string& file) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string unified;
    for (std::string line; std::getline(in, line);) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        std::string list = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (list.empty()) unified = path;
        std::stringstream ss(list);
        for (std::string c; std::getline(ss, c, ',');)
            if (c == controller) return read_text("/sys/fs/cgroup/" + controller + path + "/" + file);
    }
    std::string root = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
    return read_text(root + unified + "/" + file);
}

std::string memory_limit(Instance& c) {
    auto pid = c.state().pid;
    return v2_controller("memory") ? host_cgroup_file(pid, "memory", "memory.max") : host_cgroup_file(pid, "memory", "memory.limit_in_bytes");
}

// stdout and stderr of `sh -c script`, without trailing newlines; its status in *status.
std::string trimmed_output(Instance& c, const std::string& script, int* status = nullptr) {
    ExecResult r = c.exec({"/bin/sh", "-c", script});
    if (status) *status = r.exit_code;
    std::string out = r.stdout_data + r.stderr_data;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

bool unlimited(const std::string& v) { return v == "max" || (v.size() >= 18 && v.rfind("9223372036854", 0) == 0); }

}  // namespace

TEST_CASE("limits at start: the cgroup files from the host, the limits inside, the rlimit of init") {
    Instance c = launch_with("lim1", {{"limits.memory", "64MiB"}, {"limits.processes", "40"}, {"limits.cpu", "1"},
                                      {"limits.cpu.allowance", "25ms/100ms"}, {"limits.kernel.nofile", "512:1024"}});
    auto pid = c.state().pid;
    REQUIRE(pid > 0);
    CHECK(memory_limit(c) == "67108864");
    CHECK(host_cgroup_file(pid, "pids", "pids.max") == "40");
    CHECK(host_cgroup_file(pid, "cpuset", "cpuset.cpus") == "0");
    if (v2_controller("cpu")) {
        CHECK(host_cgroup_file(pid, "cpu", "cpu.max") == "25000 100000");
    } else {
        CHECK(host_cgroup_file(pid, "cpu", "cpu.cfs_quota_us") == "25000");
        CHECK(host_cgroup_file(pid, "cpu", "cpu.cfs_period_us") == "100000");
    }
    // The container sees its own cgroup as the root of its cgroup namespace.
    std::string inside = v2_controller("memory") ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
    CHECK(trimmed_output(c, "cat " + inside) == "67108864");
    CHECK(trimmed_output(c, "grep Cpus_allowed_list /proc/self/status | tr -d '\\t'") == "Cpus_allowed_list:0");
    CHECK(trimmed_output(c, "grep 'Max open files' /proc/1/limits | tr -s ' '").rfind("Max open files 512 1024 files", 0) == 0);
    c.stop(StopOptions{true});
}

TEST_CASE("limits.processes refuses the fork that would exceed it") {
    Instance c = launch_with("lim2", {{"limits.processes", "8"}});
    std::string out = trimmed_output(c, "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 60 & done; echo loop-done");
    CHECK(out.find("can't fork") != std::string::npos);
    CHECK(c.state().processes <= 8);
    // exec returns with its shell, leaving the sleepers, and a full pids cgroup leaves no room to
    // attach another command: they are killed from the host.
    int64_t init = c.state().pid;
    CHECK(std::stoi(host_cgroup_file(init, "pids", "pids.current")) > 1);
    std::stringstream procs(host_cgroup_file(init, "pids", "cgroup.procs"));
    for (int64_t p = 0; procs >> p;)
        if (p != init) ::kill(static_cast<pid_t>(p), SIGKILL);
    for (int i = 0; i < 100 && host_cgroup_file(init, "pids", "pids.current") != "1"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // The limit counts: once the sleepers are gone, a fork works again.
    CHECK(trimmed_output(c, "echo $(( $(echo 20) + 1 ))") == "21");
    c.stop(StopOptions{true});
}

TEST_CASE("live updates of limits.memory, limits.cpu and limits.processes change the running container's cgroup") {
    Instance c = launch_with("lim3", {{"limits.memory", "64MiB"}});
    auto pid = c.state().pid;
    CHECK(memory_limit(c) == "67108864");
    c.set_config("limits.memory", "96MiB");
    CHECK(memory_limit(c) == "100663296");
    CHECK(c.get_config("limits.memory") == "96MiB");
    c.set_config("limits.processes", "25");
    CHECK(host_cgroup_file(pid, "pids", "pids.max") == "25");
    c.set_config("limits.cpu", "1");
    CHECK(host_cgroup_file(pid, "cpuset", "cpuset.cpus") == "0");
    // Unset: back to no limit.
    c.unset_config("limits.memory");
    CHECK(unlimited(memory_limit(c)));
    c.unset_config("limits.processes");
    CHECK(host_cgroup_file(pid, "pids", "pids.max") == "max");
    c.unset_config("limits.cpu");
    CHECK(host_cgroup_file(pid, "cpuset", "cpuset.cpus") == read_text("/sys/devices/system/cpu/online"));

    // A bad value: InvalidArgument naming the key and the value; nothing changed, stored or applied.
    c.set_config("limits.processes", "30");
    for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{{"limits.processes", "many"}, {"limits.memory", "lots"},
                                                                              {"limits.cpu", "0"}, {"limits.cpu.allowance", "fast"}}) {
        try {
            c.set_config(api::ConfigMap{{"user.marker", "x"}, {key, value}});
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            CHECK(e.key() == "config." + key);
            CHECK(std::string(e.what()).find("\"" + value + "\"") != std::string::npos);
        }
        CHECK(c.get_config("limits.processes") == "30");
        CHECK_FALSE(c.get_config("user.marker").has_value());
        CHECK(host_cgroup_file(pid, "pids", "pids.max") == "30");
    }
    c.stop(StopOptions{true});
    // Stopped: the next start renders the stored limits.
    c.set_config("limits.memory", "80MiB");
    c.start();
    CHECK(memory_limit(c) == "83886080");
    c.stop(StopOptions{true});
}

TEST_CASE("limits.disk.priority applies where the host has I/O weights, else refuses the start naming the key") {
    bool has_weight = access("/sys/fs/cgroup/blkio/blkio.weight", F_OK) == 0 || access("/sys/fs/cgroup/io.weight", F_OK) == 0;
    Instance c = launch_with("lim4", {{"limits.disk.priority", "7"}}, false);
    if (has_weight) {
        c.start();
        CHECK(host_cgroup_file(c.state().pid, "blkio", "blkio.weight") == "700");
        c.stop(StopOptions{true});
    } else {
        try {
            c.start();
            FAIL("started without I/O weights");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::NotSupported);
            CHECK(std::string(e.what()).find("limits.disk.priority") != std::string::npos);
        }
        CHECK(c.state().status_code == 102);
    }
    c.remove();
}

TEST_CASE("security.syscalls.deny refuses the syscall with EPERM; without it the call works") {
    Instance plain = launch_with("sec1", {});
    int status = -1;
    trimmed_output(plain, "mknod /tmp/fifo p", &status);
    CHECK(status == 0);
    Instance denied = launch_with("sec2", {{"security.syscalls.deny", "mknod mknodat"}});
    std::string out = trimmed_output(denied, "mknod /tmp/fifo p", &status);
    CHECK(status != 0);
    CHECK(out.find("Operation not permitted") != std::string::npos);
    // The default denylist still applies next to it (LXD's errno 38 for kexec_load & co is
    // covered by the golden policy); the container otherwise works.
    CHECK(trimmed_output(denied, "echo ok") == "ok");
    plain.stop(StopOptions{true});
    denied.stop(StopOptions{true});
}

TEST_CASE("raw.lxc: an allowed line reaches liblxc; an isolation-breaking key is refused, nothing created") {
    Instance c = launch_with("raw1", {{"raw.lxc", "lxc.environment = RAW_MARK=from-raw-lxc"}});
    CHECK(trimmed_output(c, "tr '\\0' '\\n' < /proc/1/environ | grep RAW_MARK") == "RAW_MARK=from-raw-lxc");
    c.stop(StopOptions{true});
    try {
        launch_with("raw2", {{"raw.lxc", "lxc.cap.keep = sys_admin"}});
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "config.raw.lxc");
        CHECK(std::string(e.what()).find("lxc.cap.keep") != std::string::npos);
    }
    CHECK_FALSE(instance_exists("raw2"));
    try {
        c.set_config("raw.lxc", "lxc.idmap = u 0 0 65536");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.key() == "config.raw.lxc");
        CHECK(std::string(e.what()).find("lxc.idmap") != std::string::npos);
    }
    CHECK(c.get_config("raw.lxc") == "lxc.environment = RAW_MARK=from-raw-lxc");
}

TEST_CASE("security.protection.delete refuses the delete until unset") {
    Instance c = launch_with("prot1", {{"security.protection.delete", "true"}}, false);
    try {
        c.remove();
        FAIL("deleted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Conflict);
        CHECK(e.key() == "config.security.protection.delete");
    }
    CHECK(instance_exists("prot1"));
    c.unset_config("security.protection.delete");
    c.remove();
    CHECK_FALSE(instance_exists("prot1"));
}

TEST_CASE("security.privileged: no user namespace; unprivileged: the subordinate range") {
    Instance priv = launch_with("priv1", {{"security.privileged", "true"}});
    std::string map = read_text("/proc/" + std::to_string(priv.state().pid) + "/uid_map");
    std::istringstream fields(map);
    uint64_t inside = 1, outside = 1, count = 0;
    fields >> inside >> outside >> count;
    CHECK(inside == 0);
    CHECK(outside == 0);
    CHECK(count == 4294967295ull);
    // Host root's files stay root's inside: a file created in the container belongs to host 0.
    CHECK(trimmed_output(priv, "touch /root/made && stat -c %u /root/made") == "0");
    priv.stop(StopOptions{true});

    Instance plain = launch_with("priv2", {});
    std::istringstream pfields(read_text("/proc/" + std::to_string(plain.state().pid) + "/uid_map"));
    pfields >> inside >> outside >> count;
    CHECK(inside == 0);
    CHECK(outside != 0);
    plain.stop(StopOptions{true});
}

TEST_CASE("security.nesting mounts an uncovered /proc and /sys for a nested liblxc") {
    Instance c = launch_with("nest1", {{"security.nesting", "true"}});
    CHECK(trimmed_output(c, "cat /dev/.lxc/proc/1/comm") == "init");
    CHECK(trimmed_output(c, "test -d /dev/.lxc/sys/kernel && echo yes") == "yes");
    c.stop(StopOptions{true});
    Instance plain = launch_with("nest2", {});
    int status = 0;
    trimmed_output(plain, "test -d /dev/.lxc/proc", &status);
    CHECK(status != 0);
    plain.stop(StopOptions{true});
}

TEST_CASE("security.idmap.isolated: each container its own range, without overlap, kept in volatile.idmap.*") {
    auto range = [](Instance& c) {
        std::istringstream f(read_text("/proc/" + std::to_string(c.state().pid) + "/uid_map"));
        uint64_t inside = 1, outside = 0, count = 0;
        f >> inside >> outside >> count;
        CHECK(inside == 0);
        return std::pair{outside, count};
    };
    Instance a = launch_with("iso1", {{"security.idmap.isolated", "true"}});
    Instance b = launch_with("iso2", {{"security.idmap.isolated", "true"}});
    auto [a_base, a_size] = range(a);
    auto [b_base, b_size] = range(b);
    CHECK(a_size == 65536);
    CHECK(b_size == 65536);
    CHECK((a_base + a_size <= b_base || b_base + b_size <= a_base));
    CHECK(a.info().config.at("volatile.idmap.base") == std::to_string(a_base));
    CHECK(b.info().config.at("volatile.idmap.base") == std::to_string(b_base));
    CHECK(a.info().config.at("volatile.idmap.current").find("\"Hostid\":" + std::to_string(a_base)) != std::string::npos);
    CHECK(a.info().config.at("volatile.last_state.idmap") == "[]");
    // The rootfs is the container's: root owns it and can write to it; files push as its root.
    CHECK(trimmed_output(a, "touch /root/mine && stat -c %u:%g /root/mine") == "0:0");
    a.file_push_data("/root/pushed", "x");
    CHECK(trimmed_output(a, "stat -c %u /root/pushed") == "0");
    // A restart keeps the range.
    a.restart(StopOptions{true});
    CHECK(range(a).first == a_base);
    CHECK(trimmed_output(a, "stat -c %u /root/mine") == "0");
    // Volatile keys are libinstance's.
    CHECK_THROWS_AS(a.set_config("volatile.idmap.base", "5"), Error);
    a.stop(StopOptions{true});
    b.stop(StopOptions{true});
}
