#include <doctest.h>
#include <string>

#include "instance/drivers/qemu/qemu_paths.hpp"
#include "libinstance/error.hpp"

using namespace li;

TEST_CASE("one embedded libvirt root per process: a second state directory is refused, naming the first") {
    claim_embedded_root("/srv/state-a/virt");
    claim_embedded_root("/srv/state-a/virt");  // the same root again is fine
    try {
        claim_embedded_root("/srv/state-b/virt");
        FAIL("a second root was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotSupported);
        CHECK(std::string(e.what()).find("/srv/state-a") != std::string::npos);
        CHECK(std::string(e.what()).find("LIBINSTANCE_LIBVIRT_URI") != std::string::npos);
    }
}
