// CgroupReader: a container's cgroup directories found from /proc/<pid>/cgroup and mountinfo text
// (cgroup v1 hybrid, pure v2, mounts of a sub-hierarchy, escaped paths), read from a fake tree.
#include <doctest.h>

#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

#include "support/temp_state.hpp"
#include "sys/cgroup_reader.hpp"

using namespace li;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// A mountinfo line for a cgroup (v1) or cgroup2 file system.
std::string mount_line(int id, const std::string& root, const fs::path& mount_point, const std::string& fstype,
                       const std::string& super_options) {
    return fmt::format("{} 31 0:{} {} {} rw,nosuid,nodev,noexec,relatime shared:{} - {} {} {}\n", id, id, root,
                       mount_point.string(), id, fstype, fstype, super_options);
}

}  // namespace

TEST_CASE("cgroup reader, v1 hybrid: each controller's hierarchy, cut at the container's own cgroup") {
    test::TempDir tmp("li-cgroup");
    fs::path base = tmp.path();
    std::string mountinfo = "25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" +
                            mount_line(40, "/", base / "cpu,cpuacct", "cgroup", "rw,cpu,cpuacct") +
                            mount_line(41, "/", base / "memory", "cgroup", "rw,memory") +
                            mount_line(42, "/", base / "pids", "cgroup", "rw,pids") +
                            mount_line(43, "/", base / "systemd", "cgroup", "rw,xattr,name=systemd") +
                            mount_line(44, "/", base / "unified", "cgroup2", "rw,nsdelegate");
    // systemd inside the container moved its init into init.scope; the counters are the container's.
    std::string proc = "12:pids:/daemon/lxc.payload.c1\n"
                       "4:memory:/daemon/lxc.payload.c1/init.scope\n"
                       "3:cpu,cpuacct:/daemon/lxc.payload.c1\n"
                       "1:name=systemd:/daemon/lxc.payload.c1/init.scope\n"
                       "0::/daemon/lxc.payload.c1/init.scope\n";
    write_file(base / "memory/daemon/lxc.payload.c1/memory.usage_in_bytes", "4096\n");
    write_file(base / "memory/daemon/lxc.payload.c1/init.scope/memory.usage_in_bytes", "1\n");
    write_file(base / "cpu,cpuacct/daemon/lxc.payload.c1/cpuacct.usage", "123456789\n");
    write_file(base / "cpu,cpuacct/daemon/lxc.payload.c1/cpu.stat", "nr_periods 0\nnr_throttled 0\n");
    write_file(base / "pids/daemon/lxc.payload.c1/pids.current", "7\n");
    write_file(base / "unified/daemon/lxc.payload.c1/memory.current", "99\n");

    auto reader = CgroupReader::parse(proc, mountinfo, "lxc.payload.c1");
    REQUIRE(reader);
    CHECK(reader->read("memory.usage_in_bytes") == "4096");
    CHECK(reader->read("cpuacct.usage") == "123456789");
    CHECK(reader->read("cpu.stat") == "nr_periods 0\nnr_throttled 0");
    CHECK(reader->read("pids.current") == "7");
    // memory is a v1 controller here: its v2 file is not looked for in the unified hierarchy.
    CHECK_FALSE(reader->read("memory.current"));
    CHECK_FALSE(reader->read("memory.memsw.usage_in_bytes"));
    CHECK(reader->directory_of("cpuacct") == base / "cpu,cpuacct/daemon/lxc.payload.c1");
    CHECK(reader->directory_of("io") == base / "unified/daemon/lxc.payload.c1");
}

TEST_CASE("cgroup reader, pure v2: every file from the unified hierarchy, whose mount may show a sub-tree") {
    test::TempDir tmp("li-cgroup");
    fs::path mount = tmp.path() / "cg root";  // mountinfo writes the space as \040
    std::string mountinfo = mount_line(30, "/", "/proc", "proc", "rw") +
                            mount_line(31, "/sys.slice", tmp.path() / "cg\\040root", "cgroup2", "rw");
    std::string proc = "0::/sys.slice/lxc.payload.web/.lxc\n";
    write_file(mount / "lxc.payload.web/memory.current", "2048\n");
    write_file(mount / "lxc.payload.web/cpu.stat", "usage_usec 15\nuser_usec 10\n");

    auto reader = CgroupReader::parse(proc, mountinfo, "lxc.payload.web");
    REQUIRE(reader);
    CHECK(reader->read("memory.current") == "2048");
    CHECK(reader->read("cpu.stat") == "usage_usec 15\nuser_usec 10");
    CHECK_FALSE(reader->read("memory.usage_in_bytes"));
    CHECK_FALSE(reader->read("pids.current"));

    // A path outside what the mount shows has no directory here.
    CHECK_FALSE(CgroupReader::parse("0::/other.slice/lxc.payload.web\n", mountinfo, "lxc.payload.web"));
    // Without the limit component the process's own cgroup is used as it is.
    auto own = CgroupReader::parse("0::/sys.slice/box\n", mountinfo, "lxc.payload.web");
    REQUIRE(own);
    CHECK(own->directory_of("memory") == mount / "box");
}

TEST_CASE("cgroup reader: nothing without a cgroup mount or a readable /proc/<pid>/cgroup") {
    CHECK_FALSE(CgroupReader::parse("0::/lxc.payload.c1\n", "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "lxc.payload.c1"));
    CHECK_FALSE(CgroupReader::parse("", "", ""));
    // pid 0 has no /proc entry; this process does, and its cgroup is mounted on any Linux host.
    CHECK_FALSE(CgroupReader::of_pid(0, ""));
    auto self = CgroupReader::of_pid(::getpid(), "");
    REQUIRE(self);
    REQUIRE(self->directory_of("memory"));
    CHECK(fs::is_directory(*self->directory_of("memory")));
    CHECK_FALSE(self->read("nosuchcontroller.file"));
}
