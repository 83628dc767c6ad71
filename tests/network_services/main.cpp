// The dnsmasq and nftables tests run in a network namespace of their own: every bridge, veth,
// address, route and nftables table they make is private, and the host's are never touched.
// Namespaces for "instances" and an "outside" host are children made by the tests.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (::geteuid() != 0) {
        std::fprintf(stderr, "network service tests need root (network namespaces, bridges); skipping\n");
        return 77;
    }
    // Before any thread starts: the dnsmasq supervisor's thread inherits this namespace.
    if (::unshare(CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "network service tests: unshare: %s\n", std::strerror(errno));
        return 1;
    }
    if (std::system("ip link set lo up") != 0) return 1;
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
