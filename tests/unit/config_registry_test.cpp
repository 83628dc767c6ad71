#include <doctest.h>

#include "config/config_key.hpp"
#include "config/device_keys.hpp"
#include "libinstance/error.hpp"

using namespace li;

namespace {
// The key an InvalidArgument names, or "" when the call succeeds.
template <class F> std::string refused_key(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        return e.key();
    }
    return {};
}
}  // namespace

TEST_CASE("known keys in LXD's formats are accepted") {
    CHECK_NOTHROW(config::validate_instance_config(
        {{"user.a", "1"}, {"environment.FOO", "bar"}, {"limits.memory", "64MB"}, {"limits.memory", "50%"},
         {"limits.cpu", "2"}, {"limits.kernel.nofile", "1024"}, {"security.nesting", "true"}},
        "container"));
    CHECK_NOTHROW(config::validate_instance_config({{"limits.cpu", "0-1,3"}}, "container"));
    CHECK_NOTHROW(config::validate_instance_config({{"limits.cpu.allowance", "25ms/100ms"}}, "container"));
}

TEST_CASE("unknown keys, volatile keys and bad values are refused naming the key and the value") {
    CHECK(refused_key([] { config::validate_instance_config({{"limits.bogus", "1"}}, "container"); }) == "config.limits.bogus");
    CHECK(refused_key([] { config::validate_instance_config({{"volatile.base_image", "x"}}, "container"); }) ==
          "config.volatile.base_image");
    try {
        config::validate_instance_config({{"limits.memory", "lots"}}, "container");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.key() == "config.limits.memory");
        CHECK(std::string(e.what()).find("\"lots\"") != std::string::npos);
    }
    CHECK(refused_key([] { config::validate_instance_config({{"limits.cpu", "0"}}, "container"); }) == "config.limits.cpu");
    CHECK(refused_key([] { config::validate_instance_config({{"limits.cpu", "1-"}}, "container"); }) == "config.limits.cpu");
    CHECK(refused_key([] { config::validate_instance_config({{"security.privileged", "maybe"}}, "container"); }) ==
          "config.security.privileged");
}

TEST_CASE("the longest wildcard wins and exact names beat wildcards") {
    REQUIRE(config::find_instance_key("limits.kernel.nofile") != nullptr);
    CHECK(config::find_instance_key("limits.kernel.nofile")->name == "limits.kernel.nofile");
    CHECK(config::find_instance_key("user.anything")->name == "user.*");
    CHECK(config::find_instance_key("limits.memory")->name == "limits.memory");
    CHECK(config::find_instance_key("limits.kernel.") == nullptr);
    CHECK(config::find_instance_key("nonsense") == nullptr);
}

TEST_CASE("devices: type, keys and the type's own check are validated") {
    CHECK_NOTHROW(config::validate_devices({{"root", {{"type", "disk"}, {"path", "/"}, {"pool", "default"}}}}, "container"));
    CHECK(refused_key([] { config::validate_devices({{"d", {{"path", "/x"}}}}, "container"); }) == "devices.d.type");
    CHECK(refused_key([] { config::validate_devices({{"d", {{"type", "warpdrive"}}}}, "container"); }) == "devices.d.type");
    CHECK(refused_key([] { config::validate_devices({{"d", {{"type", "disk"}, {"path", "/x"}, {"bogus", "1"}}}}, "container"); }) ==
          "devices.d.bogus");
    CHECK(refused_key([] { config::validate_devices({{"d", {{"type", "disk"}, {"path", "/x"}}}}, "container"); }) ==
          "devices.d.source");
    CHECK(refused_key([] { config::validate_devices({{"d", {{"type", "disk"}, {"path", "/x"}, {"source", "/tmp"}, {"readonly", "perhaps"}}}}, "container"); }) ==
          "devices.d.readonly");
}

TEST_CASE("keys that exclude each other are refused together, naming the second") {
    CHECK(refused_key([] {
              config::validate_key_combinations({{"security.privileged", "true"}, {"security.idmap.isolated", "true"}});
          }) == "config.security.idmap.isolated");
    CHECK(refused_key([] {
              config::validate_key_combinations({{"security.syscalls.allow", "read"}, {"security.syscalls.deny", "mknod"}});
          }) == "config.security.syscalls.deny");
    CHECK(refused_key([] {
              config::validate_key_combinations({{"security.syscalls.allow", "read"}, {"security.syscalls.deny_compat", "true"}});
          }) == "config.security.syscalls.deny_compat");
    CHECK_NOTHROW(config::validate_key_combinations({{"security.privileged", "true"}, {"security.idmap.isolated", "false"}}));
    CHECK_NOTHROW(config::validate_key_combinations({{"security.syscalls.allow", "read"}}));
}
