#include <doctest.h>
#include <cstdlib>
#include <filesystem>

#include "golden/golden.hpp"
#include "instance/drivers/lxc/lxc_render.hpp"
#include "sys/fs.hpp"

using namespace li;
namespace fs = std::filesystem;

using li::test::check_golden;

TEST_CASE("liblxc config of an unprivileged busybox container") {
    LxcRenderInput in;
    in.lxc_name = "c1";
    in.hostname = "c1";
    in.rootfs = "/var/lib/libinstance/storage-pools/default/containers/c1/rootfs";
    in.idmap = IdMap{{1000000, 1000000000}, {1000000, 1000000000}, {}};
    in.halt_signal = "SIGUSR1";
    in.seccomp_file = "/var/lib/libinstance/containers/c1/seccomp";
    in.config = {{"environment.FOO", "bar"}, {"user.ignored", "x"}};
    in.console_log_file = "/var/lib/libinstance/logs/c1/console.log";
    check_golden("lxc-config-basic.conf", render_lxc_config(in));
}

TEST_CASE("seccomp policy") { check_golden("seccomp-default.txt", render_seccomp_policy()); }

namespace {
// Hosts of both cgroup layouts, so that each is rendered whatever this machine has.
CgroupHost v1_host() {
    CgroupHost h;
    h.controllers = {{"cpu", 1}, {"cpuset", 1}, {"memory", 1}, {"pids", 1}, {"blkio", 1}};
    h.files = {"memory.memsw.limit_in_bytes", "memory.swappiness", "blkio.weight"};
    h.cpus = "0-3";
    h.memory_total = 8ull << 30;
    return h;
}
CgroupHost v2_host() {
    CgroupHost h;
    h.controllers = {{"cpu", 2}, {"cpuset", 2}, {"memory", 2}, {"pids", 2}, {"io", 2}};
    h.files = {"memory.swap.max", "io.weight"};
    h.cpus = "0-3";
    h.memory_total = 8ull << 30;
    return h;
}
LxcRenderInput limited_input(const CgroupHost& host) {
    LxcRenderInput in;
    in.lxc_name = in.hostname = "lim";
    in.rootfs = "/var/lib/libinstance/storage-pools/default/containers/lim/rootfs";
    in.rootfs_shifted = true;
    in.idmap = IdMap{{1000000, 65536}, {1000000, 65536}, {}};
    in.halt_signal = "SIGUSR1";
    in.seccomp_file = "/var/lib/libinstance/containers/lim/seccomp";
    in.config = {{"limits.memory", "64MiB"},          {"limits.memory.swap", "false"}, {"limits.cpu", "2"},
                 {"limits.cpu.allowance", "25ms/100ms"}, {"limits.cpu.priority", "5"},  {"limits.processes", "100"},
                 {"limits.disk.priority", "7"},        {"limits.kernel.nofile", "1024:4096"}};
    in.cgroup_limits = cgroup_limits(in.config, host);
    return in;
}
}  // namespace

TEST_CASE("limits on a cgroup v1 host") { check_golden("lxc-config-limits-v1.conf", render_lxc_config(limited_input(v1_host()))); }

TEST_CASE("limits on a cgroup v2 host") { check_golden("lxc-config-limits-v2.conf", render_lxc_config(limited_input(v2_host()))); }

TEST_CASE("privileged, nesting and raw.lxc") {
    LxcRenderInput in;
    in.lxc_name = in.hostname = "priv";
    in.rootfs = "/var/lib/libinstance/storage-pools/default/containers/priv/rootfs";
    in.idmap = IdMap{{1000000, 1000000000}, {1000000, 1000000000}, {}};
    in.seccomp_file = "/var/lib/libinstance/containers/priv/seccomp";
    in.config = {{"security.privileged", "true"}, {"security.nesting", "true"},
                 {"raw.lxc", "# a comment\nlxc.init.cwd = /tmp\n\nlxc.environment=RAW=1\n"}};
    check_golden("lxc-config-privileged-nesting.conf", render_lxc_config(in));
}

TEST_CASE("seccomp policy of the security.syscalls keys") {
    check_golden("seccomp-deny.txt", render_seccomp_policy({{"security.syscalls.deny", "mknod, mknodat\nkeyctl kill"},
                                                             {"security.syscalls.deny_compat", "true"}}));
    check_golden("seccomp-allow.txt", render_seccomp_policy({{"security.syscalls.allow", "read write exit_group"},
                                                              {"security.syscalls.deny", "mknod"}}));
    CHECK(render_seccomp_policy({{"security.syscalls.deny_default", "false"}}) == "2\ndenylist\n");
    CHECK(render_seccomp_policy({{"raw.seccomp", "2\nallowlist\n[all]\nread"}}) == "2\nallowlist\n[all]\nread\n");
}

TEST_CASE("raw.idmap splits the container's map around its entries") {
    LxcRenderInput in;
    in.lxc_name = "c1";
    in.hostname = "c1";
    in.rootfs = "/var/lib/libinstance/storage-pools/default/containers/c1/rootfs";
    in.idmap = IdMap{{1000000, 65536}, {1000000, 65536}, parse_raw_idmap("both 1000 1000\nuid 2000-2001 5000-5001\n")};
    in.halt_signal = "SIGUSR1";
    in.seccomp_file = "/var/lib/libinstance/containers/c1/seccomp";
    in.console_log_file = "/var/lib/libinstance/logs/c1/console.log";
    std::string rendered = render_lxc_config(in);
    CHECK(rendered.find("lxc.idmap = u 0 1000000 1000\n"
                        "lxc.idmap = u 1000 1000 1\n"
                        "lxc.idmap = u 1001 1001001 3999\n"
                        "lxc.idmap = u 5000 2000 2\n"
                        "lxc.idmap = u 5002 1005002 60534\n"
                        "lxc.idmap = g 0 1000000 1000\n"
                        "lxc.idmap = g 1000 1000 1\n"
                        "lxc.idmap = g 1001 1001001 64535\n") != std::string::npos);
    check_golden("lxc-config-raw-idmap.conf", rendered);
}
