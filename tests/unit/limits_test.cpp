// limits.* -> cgroup files for both cgroup layouts, and the checks of the raw/security keys.
#include <doctest.h>

#include "config/config_key.hpp"
#include "config/security_validators.hpp"
#include "instance/drivers/lxc/lxc_idmap.hpp"
#include "instance/drivers/lxc/lxc_limits.hpp"
#include "libinstance/error.hpp"

using namespace li;

namespace {

CgroupHost host(int version) {
    CgroupHost h;
    for (const char* c : {"cpu", "cpuset", "memory", "pids"}) h.controllers[c] = version;
    h.files = version == 1 ? std::set<std::string>{"memory.memsw.limit_in_bytes", "memory.swappiness"}
                           : std::set<std::string>{"memory.swap.max"};
    h.cpus = "0-7";
    h.memory_total = 1000ull << 20;
    return h;
}

// file -> value of the settings (each file once)
std::map<std::string, std::string> files(const api::ConfigMap& config, const CgroupHost& h) {
    std::map<std::string, std::string> out;
    for (const auto& s : cgroup_limits(config, h)) {
        CHECK(s.version == h.controllers.at(s.file.substr(0, s.file.find('.'))));
        CHECK(out.emplace(s.file, s.value).second);
    }
    return out;
}

std::string refused(const api::ConfigMap& config) {
    try {
        config::validate_instance_config(config, "container");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        return e.key() + ": " + e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("limits.memory: hard on v1 with memsw, on v2 with memory.swap.max; soft; percentages") {
    auto v1 = files({{"limits.memory", "64MiB"}, {"limits.memory.swap", "false"}}, host(1));
    CHECK(v1["memory.limit_in_bytes"] == "67108864");
    CHECK(v1["memory.memsw.limit_in_bytes"] == "67108864");
    CHECK(v1["memory.soft_limit_in_bytes"] == std::to_string(67108864ull / 10 * 9));
    CHECK(v1["memory.swappiness"] == "0");
    auto v1swap = files({{"limits.memory", "64MiB"}}, host(1));
    CHECK(v1swap["memory.memsw.limit_in_bytes"] == "134217728");
    CHECK(v1swap.count("memory.swappiness") == 0);
    CHECK(files({{"limits.memory.swap.priority", "4"}}, host(1))["memory.swappiness"] == "66");

    auto v2 = files({{"limits.memory", "64MB"}, {"limits.memory.swap", "false"}}, host(2));
    CHECK(v2["memory.max"] == "64000000");
    CHECK(v2["memory.swap.max"] == "0");
    CHECK(files({{"limits.memory", "64MB"}}, host(2))["memory.swap.max"] == "64000000");
    CHECK(files({{"limits.memory", "10%"}}, host(2))["memory.max"] == std::to_string((1000ull << 20) / 100 * 10));

    CHECK(files({{"limits.memory", "64MB"}, {"limits.memory.enforce", "soft"}}, host(1)) ==
          std::map<std::string, std::string>{{"memory.soft_limit_in_bytes", "64000000"}});
    CHECK(files({{"limits.memory", "64MB"}, {"limits.memory.enforce", "soft"}}, host(2)) ==
          std::map<std::string, std::string>{{"memory.low", "64000000"}});
}

TEST_CASE("limits.cpu: a count picks CPUs, a set is kept; allowance and priority as shares, weights and quotas") {
    CHECK(cpuset_for("2", "0-7") == "0-1");
    CHECK(cpuset_for("3", "0,2,4-7") == "0,2,4");
    CHECK(cpuset_for("16", "0-3") == "0-3");
    CHECK(cpuset_for("1,3", "0-3") == "1,3");
    CHECK(files({{"limits.cpu", "2"}}, host(1))["cpuset.cpus"] == "0-1");

    auto v1 = files({{"limits.cpu.allowance", "50%"}, {"limits.cpu.priority", "8"}}, host(1));
    CHECK(v1 == std::map<std::string, std::string>{{"cpu.shares", "510"}});
    auto v1q = files({{"limits.cpu.allowance", "25ms/100ms"}}, host(1));
    CHECK(v1q == std::map<std::string, std::string>{{"cpu.cfs_period_us", "100000"}, {"cpu.cfs_quota_us", "25000"}});
    auto v2 = files({{"limits.cpu.allowance", "25ms/50ms"}, {"limits.cpu.priority", "0"}}, host(2));
    CHECK(v2 == std::map<std::string, std::string>{{"cpu.weight", "90"}, {"cpu.max", "25000 50000"}});
    CHECK(files({{"limits.cpu.allowance", "0%"}}, host(2))["cpu.weight"] == "1");
}

TEST_CASE("limits.processes, limits.disk.priority and what a host lacks") {
    CHECK(files({{"limits.processes", "20"}}, host(1))["pids.max"] == "20");
    CHECK(files({{"limits.processes", "20"}}, host(2))["pids.max"] == "20");
    CgroupHost with_blkio = host(1);
    with_blkio.controllers["blkio"] = 1;
    with_blkio.files.insert("blkio.weight");
    CHECK(files({{"limits.disk.priority", "0"}}, with_blkio)["blkio.weight"] == "10");
    CgroupHost with_io = host(2);
    with_io.controllers["io"] = 2;
    with_io.files.insert("io.weight");
    CHECK(files({{"limits.disk.priority", "10"}}, with_io)["io.weight"] == "default 1000");
    try {
        cgroup_limits({{"limits.disk.priority", "3"}}, host(1));
        FAIL("accepted without a weight file");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotSupported);
        CHECK(e.key() == "config.limits.disk.priority");
    }
    CgroupHost no_pids = host(1);
    no_pids.controllers.erase("pids");
    CHECK_THROWS_AS(cgroup_limits({{"limits.processes", "5"}}, no_pids), Error);
    CHECK(cgroup_default_value(1, "memory.limit_in_bytes", host(1)) == "-1");
    CHECK(cgroup_default_value(2, "pids.max", host(2)) == "max");
    CHECK(cgroup_default_value(1, "cpuset.cpus", host(1)) == "0-7");
}

TEST_CASE("limits.kernel.* become lxc.prlimit lines; names and values are checked") {
    auto lines = prlimit_lines({{"limits.kernel.nofile", "1024:4096"}, {"limits.kernel.nproc", "unlimited"}, {"limits.cpu", "1"}});
    CHECK(lines == std::vector<std::pair<std::string, std::string>>{{"lxc.prlimit.nofile", "1024:4096"}, {"lxc.prlimit.nproc", "unlimited"}});
    CHECK(refused({{"limits.kernel.nofile", "1024:4096"}}).empty());
    CHECK(refused({{"limits.kernel.bogus", "1"}}).rfind("config.limits.kernel.bogus:", 0) == 0);
    std::string bad = refused({{"limits.kernel.nofile", "lots"}});
    CHECK(bad.rfind("config.limits.kernel.nofile:", 0) == 0);
    CHECK(bad.find("\"lots\"") != std::string::npos);
}

TEST_CASE("raw.lxc: isolation-breaking keys are refused naming config.raw.lxc and the liblxc key") {
    CHECK(refused({{"raw.lxc", "lxc.init.cwd = /tmp\n# comment\n\nlxc.environment=A=1"}}).empty());
    for (const char* line : {"lxc.idmap = u 0 0 1", "lxc.rootfs.path = dir:/", "lxc.apparmor.profile=unconfined", "lxc.cap.keep = sys_admin",
                             "lxc.cap.drop =", "lxc.seccomp.profile = /dev/null", "lxc.mount.auto = sys:rw", "lxc.hook.pre-start = /bin/sh",
                             "lxc.include = /etc/shadow", "lxc.namespace.share.net = 1", "lxc.cgroup.devices.allow = a",
                             "lxc.prlimit.nofile = 1", "lxc.ephemeral = 1", "lxc.log.file = /tmp/x"}) {
        std::string why = refused({{"raw.lxc", std::string("lxc.init.cwd = /\n") + line}});
        CAPTURE(line);
        CHECK(why.rfind("config.raw.lxc:", 0) == 0);
        std::string key = std::string(line).substr(0, std::string(line).find_first_of(" ="));
        CHECK(why.find("\"" + key + "\"") != std::string::npos);
    }
    CHECK(refused({{"raw.lxc", "not a line"}}).rfind("config.raw.lxc:", 0) == 0);
    CHECK(refused({{"raw.lxc", "foo = bar"}}).rfind("config.raw.lxc:", 0) == 0);
    CHECK(config::parse_raw_lxc(" lxc.a = b c \n#x\nlxc.d=e") ==
          std::vector<std::pair<std::string, std::string>>{{"lxc.a", "b c"}, {"lxc.d", "e"}});
}

TEST_CASE("security.syscalls lists: names, commas, newlines and liblxc rules") {
    CHECK(config::syscall_rules("mknod, mknodat\nkeyctl errno 38\n  bpf  ") ==
          std::vector<std::string>{"mknod", "mknodat", "keyctl errno 38", "bpf"});
    CHECK(refused({{"security.syscalls.deny", "mknod mknodat"}}).empty());
    CHECK(refused({{"security.syscalls.deny", "mk-nod"}}).rfind("config.security.syscalls.deny:", 0) == 0);
    CHECK(refused({{"security.syscalls.allow", "Read"}}).rfind("config.security.syscalls.allow:", 0) == 0);
}

TEST_CASE("isolated idmaps: the lowest free range after the shared one, never overlapping") {
    IdRange host{1000000, 1000000};
    CHECK(find_free_idmap_base(host, 65536, {}) == 1065536);
    CHECK(find_free_idmap_base(host, 65536, {{1065536, 65536}}) == 1131072);
    // A hole big enough is reused; a too small one is skipped.
    CHECK(find_free_idmap_base(host, 65536, {{1065536, 65536}, {1200000, 65536}}) == 1131072);
    CHECK(find_free_idmap_base(host, 100000, {{1065536, 65536}, {1200000, 65536}}) == 1265536);
    CHECK(find_free_idmap_base(host, 65536, {{1131072, 65536}}) == 1065536);
    CHECK_FALSE(find_free_idmap_base(host, 1000000, {}).has_value());
    CHECK_FALSE(find_free_idmap_base(IdRange{1000000, 131072}, 65536, {{1065536, 65536}}).has_value());
}
