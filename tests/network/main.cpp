// The network suite runs in a network namespace of its own, so every bridge, address and route
// it makes is private and the host's interfaces are never touched; a mount namespace with a
// fresh sysfs makes /sys/class/net show that namespace (the nic device code reads it).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include "network/netlink.hpp"
#include "support/temp_state.hpp"

namespace {

bool fail(const char* what) {
    std::fprintf(stderr, "network tests: %s: %s\n", what, std::strerror(errno));
    return false;
}

bool enter_private_network() {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) return fail("unshare");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fail("making mounts private");
    // Keep the cgroup tree (liblxc needs it) across the new sysfs.
    char keep[] = "/tmp/li-net-cgroup-XXXXXX";
    if (!::mkdtemp(keep)) return fail("mkdtemp");
    if (::mount("/sys/fs/cgroup", keep, nullptr, MS_BIND | MS_REC, nullptr) != 0) return fail("keeping /sys/fs/cgroup");
    if (::mount("sysfs", "/sys", "sysfs", 0, nullptr) != 0) return fail("mounting sysfs");
    if (::mount(keep, "/sys/fs/cgroup", nullptr, MS_MOVE, nullptr) != 0) return fail("moving /sys/fs/cgroup back");
    ::rmdir(keep);
    li::netlink::set_up("lo", true);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (!li::test::can_run_containers()) {
        std::fprintf(stderr, "network tests need root (network namespaces, bridges, containers); skipping\n");
        return 77;
    }
    if (!enter_private_network()) return 1;
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
