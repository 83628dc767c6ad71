#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>
#include <cstdio>

#include "support/temp_state.hpp"

int main(int argc, char** argv) {
    if (!li::test::can_run_containers()) {
        std::fprintf(stderr, "crash tests need root to run containers; skipping\n");
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
