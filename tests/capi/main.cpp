// doctest main of the C ABI tests: runs the cases, then cleans up the shared state directory.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest.h>

#include "support.hpp"

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    int rc = context.run();
    capi_test::shutdown_env();
    return rc;
}
