// The address a filtered nic is given when it names none: its own lease first, else the lowest
// free one of the DHCP ranges, never the bridge's; a full range is an error naming the network.
#include <doctest.h>

#include "libinstance/error.hpp"
#include "network/ipv4_allocation.hpp"

using namespace li;
using net::allocate_ipv4;

namespace {
api::NetworkLease lease(const std::string& hwaddr, const std::string& address) {
    api::NetworkLease l;
    l.hwaddr = hwaddr;
    l.address = address;
    return l;
}
}  // namespace

TEST_CASE("ipv4 allocation: own lease kept, lowest free otherwise, ranges honoured, full is an error") {
    auto bridge = *net::parse_cidr("10.5.0.1/24");
    CHECK(allocate_ipv4("n", bridge, "", {}, "00:16:3e:00:00:01") == "10.5.0.2");
    std::vector<api::NetworkLease> taken{lease("00:16:3e:00:00:02", "10.5.0.2"), lease("00:16:3e:00:00:03", "10.5.0.3"),
                                         lease("00:16:3e:00:00:04", "fd42::5")};
    CHECK(allocate_ipv4("n", bridge, "", taken, "00:16:3e:00:00:01") == "10.5.0.4");
    CHECK(allocate_ipv4("n", bridge, "", taken, "00:16:3E:00:00:03") == "10.5.0.3");  // its own, any case
    CHECK(allocate_ipv4("n", bridge, "10.5.0.100-10.5.0.101, 10.5.0.200-10.5.0.200", {lease("aa:aa:aa:aa:aa:aa", "10.5.0.100")},
                        "00:16:3e:00:00:01") == "10.5.0.101");

    auto at_start = *net::parse_cidr("10.6.0.2/24");  // the bridge holds the first pool address
    CHECK(allocate_ipv4("n", at_start, "", {}, "00:16:3e:00:00:01") == "10.6.0.3");

    auto tiny = *net::parse_cidr("10.7.0.1/30");  // only .2 is a pool address
    CHECK(allocate_ipv4("n", tiny, "", {}, "00:16:3e:00:00:01") == "10.7.0.2");
    try {
        allocate_ipv4("tiny0", tiny, "", {lease("aa:aa:aa:aa:aa:aa", "10.7.0.2")}, "00:16:3e:00:00:01");
        FAIL("a full range must be refused");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Backend);
        CHECK(std::string(e.what()).find("tiny0") != std::string::npos);
    }
}
