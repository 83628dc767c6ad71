#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>
#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv) {
    if (::geteuid() != 0) {
        std::fprintf(stderr, "storage driver tests need root (overlay and btrfs mounts, loop devices); skipping\n");
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
