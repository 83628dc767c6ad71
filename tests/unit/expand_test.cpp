#include <doctest.h>

#include "instance/drivers/lxc/lxc_render.hpp"
#include "instance/expand.hpp"
#include "libinstance/error.hpp"

using namespace li;

TEST_CASE("profiles apply in order, the instance wins, and type none masks a device") {
    ProfileRecord a, b;
    a.config = {{"user.x", "a"}, {"user.y", "a"}};
    a.devices = {{"root", {{"type", "disk"}, {"path", "/"}, {"pool", "p1"}}}, {"eth0", {{"type", "nic"}}}};
    b.config = {{"user.y", "b"}};
    b.devices = {{"root", {{"type", "disk"}, {"path", "/"}, {"pool", "p2"}}}};
    Expanded e = expand_instance({a, b}, {{"user.x", "inst"}}, {{"eth0", {{"type", "none"}}}});
    CHECK(e.config.at("user.x") == "inst");
    CHECK(e.config.at("user.y") == "b");
    CHECK(e.devices.count("eth0") == 0);
    CHECK(root_disk_pool(e.devices) == "p2");
    CHECK_THROWS_AS(root_disk_pool({}), Error);
}

TEST_CASE("the halt signal matches the init") {
    CHECK(halt_signal_for_init("/bin/busybox") == "SIGUSR1");
    CHECK(halt_signal_for_init("../lib/systemd/systemd") == "SIGRTMIN+3");
    CHECK(halt_signal_for_init("") == "SIGPWR");
}
