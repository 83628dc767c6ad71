#include <doctest.h>
#include <string>
#include <vector>

#include "core/names.hpp"
#include "libinstance/error.hpp"

using namespace li;

TEST_CASE("instance names follow LXD's host name rules") {
    for (const std::string& ok : std::vector<std::string>{"c1", "a", "web-01", "ABC", std::string(63, 'x')}) {
        CAPTURE(ok);
        CHECK_NOTHROW(validate_instance_name(ok));
    }
    for (const std::string& bad : std::vector<std::string>{"", "1c", "-c", "c-", "a b", "../x", "a/b", "a_b", "a.b",
                                                           std::string(64, 'x')}) {
        CAPTURE(bad);
        try {
            validate_instance_name(bad);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            CHECK(e.key() == "name");
            CHECK(std::string(e.what()).find("\"" + bad + "\"") != std::string::npos);
        }
    }
}

TEST_CASE("image aliases may contain slashes but not control characters") {
    CHECK_NOTHROW(validate_alias_name("debian/12"));
    CHECK_THROWS_AS(validate_alias_name(""), Error);
    CHECK_THROWS_AS(validate_alias_name("a\nb"), Error);
    CHECK_THROWS_AS(validate_alias_name(std::string(256, 'a')), Error);
}
