// Subnets of managed networks: CIDR parsing, overlap, and the auto subnet choice on crowded hosts.
#include <doctest.h>

#include "libinstance/error.hpp"
#include "network/cidr.hpp"
#include "network/subnet_auto.hpp"

using namespace li;
using net::parse_cidr;

TEST_CASE("CIDR: parse, network, text; bad ones refused") {
    auto c = parse_cidr("10.1.2.3/24");
    REQUIRE(c);
    CHECK(c->family == 4);
    CHECK(c->text() == "10.1.2.3/24");
    CHECK(c->network().text() == "10.1.2.0/24");
    auto six = parse_cidr("fd42:1:2:3::1/64");
    REQUIRE(six);
    CHECK(six->family == 6);
    CHECK(six->network().text() == "fd42:1:2:3::/64");
    for (const char* bad : {"10.1.2.3", "10.1.2.3/33", "10.1.2.3/", "10.1.2/24", "banana/8", "fd42::1/129", "10.1.2.3/2x"})
        CHECK_MESSAGE(!parse_cidr(bad), bad);
    CHECK(parse_cidr("10.1.2.0/24")->is_network_or_broadcast());
    CHECK(parse_cidr("10.1.2.255/24")->is_network_or_broadcast());
    CHECK_FALSE(parse_cidr("10.1.2.1/24")->is_network_or_broadcast());
}

TEST_CASE("CIDR: overlap is containment either way, within a family") {
    CHECK(parse_cidr("10.0.0.0/8")->overlaps(*parse_cidr("10.5.6.1/24")));
    CHECK(parse_cidr("10.5.6.1/24")->overlaps(*parse_cidr("10.0.0.0/8")));
    CHECK_FALSE(parse_cidr("10.5.6.1/24")->overlaps(*parse_cidr("10.5.7.1/24")));
    CHECK_FALSE(parse_cidr("10.5.6.1/24")->overlaps(*parse_cidr("fd42::1/64")));
    CHECK(parse_cidr("fd42:1::1/32")->overlaps(*parse_cidr("fd42:1:2:3::1/64")));
}

TEST_CASE("auto IPv4: a free /24 even when 10/8 is entirely routed; Busy when nothing is free") {
    std::vector<net::TakenSubnet> taken{{*parse_cidr("10.0.0.0/9"), "route a"}, {*parse_cidr("10.128.0.0/9"), "route b"}};
    auto chosen = net::auto_ipv4(taken);
    CHECK(chosen.prefix == 24);
    CHECK_FALSE(net::find_overlap(chosen, taken));
    CHECK(chosen.text().rfind("172.16.", 0) == 0);
    taken.push_back({*parse_cidr("172.16.0.0/12"), "c"});
    taken.push_back({*parse_cidr("192.168.0.0/16"), "d"});
    try {
        net::auto_ipv4(taken);
        FAIL("chose a subnet");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Busy);
        CHECK(e.key() == "config.ipv4.address");
    }
    auto v6 = net::auto_ipv6({});
    CHECK(v6.prefix == 64);
    CHECK(v6.text().rfind("fd42:", 0) == 0);
}
