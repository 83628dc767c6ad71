// Bridge networks on real bridges: create (explicit and auto subnets), state, update, rename,
// delete, and bringing them back at open.
#include <chrono>
#include <cstdlib>
#include <doctest.h>
#include <mutex>
#include <net/if.h>
#include <thread>
#include <csignal>
#include <fstream>

#include "network/cidr.hpp"
#include "network_services/netns_support.hpp"
#include "network_support.hpp"

using namespace li;
using namespace li::test;

namespace {
// The pid the network's dnsmasq recorded (0 when none).
pid_t dnsmasq_pid(const std::string& network) {
    pid_t pid = 0;
    std::ifstream(shared().mgr->state_dir() / "networks" / network / "dnsmasq.pid") >> pid;
    return pid;
}
}  // namespace

TEST_CASE("a bridge with an explicit subnet: created up with its address, listed, state, deleted") {
    auto n = create_bridge("tbr0", {{"ipv4.address", "10.123.45.1/24"}, {"ipv6.address", "none"}, {"ipv4.nat", "true"}});
    CHECK(n.managed);
    CHECK(n.type == "bridge");
    CHECK(n.status == "Created");
    CHECK(n.config.at("ipv4.address") == "10.123.45.1/24");
    auto link = netlink::find_link("tbr0");
    REQUIRE(link);
    CHECK(link->kind == "bridge");
    CHECK((link->flags & IFF_UP) != 0);

    auto st = networks().state("default", "tbr0");
    CHECK(has_address(st, "10.123.45.1", "24"));
    CHECK(st.mtu == 1500);
    CHECK(st.state == "up");
    CHECK(st.has_bridge);
    // A stable MAC of its own (LXD's 00:16:3e prefix), which the bridge id carries.
    CHECK(st.hwaddr.rfind("00:16:3e:", 0) == 0);
    std::string mac_digits = st.hwaddr;
    std::erase(mac_digits, ':');
    CHECK(st.bridge.id.find(mac_digits) != std::string::npos);

    bool listed = false, lo = false;
    for (const auto& x : networks().list("default")) {
        if (x.name == "tbr0") listed = x.managed;
        if (x.name == "lo") lo = !x.managed && x.type == "loopback";
    }
    CHECK(listed);
    CHECK(lo);
    CHECK(networks().get("default", "lo").managed == false);
    CHECK(networks().etag("default", "tbr0") == networks().etag("default", "tbr0"));
    // Its own NAT table and its dnsmasq run.
    CHECK(li::test::sh("nft list table inet libinstance_tbr0").output.find("masquerade") != std::string::npos);
    pid_t dnsmasq = dnsmasq_pid("tbr0");
    CHECK(dnsmasq > 0);
    CHECK(::kill(dnsmasq, 0) == 0);

    networks().remove("default", "tbr0");
    CHECK(li::test::sh("nft list table inet libinstance_tbr0").status != 0);
    CHECK(eventually([&] { return ::kill(dnsmasq, 0) != 0; }, 6000));
    CHECK_FALSE(link_exists("tbr0"));
    CHECK_FALSE(record_exists("tbr0"));
    CHECK(error_of([] { networks().get("default", "tbr0"); }).code() == ErrorCode::NotFound);
}

TEST_CASE("auto subnets collide with no route, even where 10/8 is all routed") {
    // Crowd 10.0.0.0/8 with two /9 routes, so that LXD's random 10.x.y.0/24 would never fit.
    netlink::create_bridge("crowd0");
    netlink::set_up("crowd0", true);
    netlink::add_address("crowd0", *net::parse_cidr("10.0.0.1/9"));
    netlink::add_address("crowd0", *net::parse_cidr("10.128.0.1/9"));

    auto n = create_bridge("tauto0", {});
    auto v4 = net::parse_cidr(n.config.at("ipv4.address"));
    auto v6 = net::parse_cidr(n.config.at("ipv6.address"));
    REQUIRE(v4);
    REQUIRE(v6);
    CHECK(n.config.at("ipv4.nat") == "true");
    CHECK(n.config.at("ipv6.nat") == "true");
    CHECK(v4->prefix == 24);
    CHECK(v6->prefix == 64);
    CHECK(v6->text().rfind("fd42:", 0) == 0);
    CHECK(!net::find_overlap(*v4, net::host_subnets(4, "tauto0")));
    CHECK(!net::find_overlap(*v6, net::host_subnets(6, "tauto0")));
    auto st = networks().state("default", "tauto0");
    CHECK(has_address(st, v4->address(), "24"));
    CHECK(has_address(st, v6->address(), "64"));

    // A second auto network overlaps neither the first nor the crowd.
    auto m = create_bridge("tauto1", {{"ipv6.address", "none"}});
    auto w4 = net::parse_cidr(m.config.at("ipv4.address"));
    REQUIRE(w4);
    CHECK_FALSE(w4->overlaps(*v4));
    CHECK(m.config.at("ipv6.address") == "none");

    networks().remove("default", "tauto1");
    networks().remove("default", "tauto0");
    netlink::delete_link("crowd0");
}

TEST_CASE("update applies mtu, hwaddr and a new address; an ETag mismatch changes nothing") {
    create_bridge("tupd0", {{"ipv4.address", "10.123.46.1/24"}, {"ipv6.address", "fd42:1:2:3::1/64"}});
    std::string etag = networks().etag("default", "tupd0");
    api::NetworkPut put = api::put_of(networks().get("default", "tupd0"));
    put.description = "changed";
    put.config["bridge.mtu"] = "1400";
    put.config["bridge.hwaddr"] = "00:16:3e:aa:bb:cc";
    put.config["ipv4.address"] = "10.123.47.1/24";
    networks().update("default", "tupd0", put, etag);
    auto st = networks().state("default", "tupd0");
    CHECK(st.mtu == 1400);
    CHECK(st.hwaddr == "00:16:3e:aa:bb:cc");
    CHECK(has_address(st, "10.123.47.1", "24"));
    CHECK_FALSE(has_address(st, "10.123.46.1", "24"));
    CHECK(has_address(st, "fd42:1:2:3::1", "64"));
    auto got = networks().get("default", "tupd0");
    CHECK(got.description == "changed");
    CHECK(got.config.at("bridge.mtu") == "1400");

    put.config["bridge.mtu"] = "1300";
    CHECK(error_of([&] { networks().update("default", "tupd0", put, etag); }).code() == ErrorCode::Conflict);
    CHECK(networks().state("default", "tupd0").mtu == 1400);

    // Dropping the IPv6 address removes it; mtu back to the default.
    put.config.erase("bridge.mtu");
    put.config["ipv6.address"] = "none";
    networks().update("default", "tupd0", put);
    st = networks().state("default", "tupd0");
    CHECK(st.mtu == 1500);
    CHECK_FALSE(has_address(st, "fd42:1:2:3::1", "64"));
    networks().remove("default", "tupd0");
}

TEST_CASE("rename moves the bridge with its addresses") {
    create_bridge("tren0", {{"ipv4.address", "10.123.48.1/24"}, {"ipv6.address", "none"}});
    networks().rename("default", "tren0", "tren1");
    CHECK_FALSE(link_exists("tren0"));
    CHECK(link_exists("tren1"));
    CHECK(has_address(networks().state("default", "tren1"), "10.123.48.1", "24"));
    CHECK(networks().get("default", "tren1").managed);
    CHECK(error_of([] { networks().get("default", "tren0"); }).code() == ErrorCode::NotFound);
    create_bridge("tren2", {{"ipv4.address", "10.123.49.1/24"}, {"ipv6.address", "none"}});
    auto e = error_of([] { networks().rename("default", "tren1", "tren2"); });
    CHECK(e.code() == ErrorCode::AlreadyExists);
    CHECK(e.key() == "new_name");
    networks().remove("default", "tren1");
    networks().remove("default", "tren2");
}

TEST_CASE("a managed bridge missing at open (host reboot) is brought back") {
    TempDir dir("li-net-boot");
    {
        auto mgr = Manager::open(dir.path());
        api::NetworksPost post;
        post.name = "tboot0";
        post.config = {{"ipv4.address", "10.123.50.1/24"}, {"ipv6.address", "none"}};
        mgr->networks().create("default", post);
    }
    netlink::delete_link("tboot0");
    {
        auto mgr = Manager::open(dir.path());
        CHECK(link_exists("tboot0"));
        CHECK(has_address(mgr->networks().state("default", "tboot0"), "10.123.50.1", "24"));
        mgr->networks().remove("default", "tboot0");
    }
    CHECK_FALSE(link_exists("tboot0"));
}

TEST_CASE("lifecycle events: network-created, -updated, -renamed, -deleted") {
    std::mutex m;
    std::string seen;
    EventFilter filter;
    filter.types = {"lifecycle"};
    auto sub = shared().mgr->events().subscribe(filter, [&](const std::string& json) {
        std::lock_guard lock(m);
        seen += json;
    });
    create_bridge("tev0", {{"ipv4.address", "10.123.51.1/24"}, {"ipv6.address", "none"}});
    networks().update("default", "tev0", api::put_of(networks().get("default", "tev0")));
    networks().rename("default", "tev0", "tev1");
    networks().remove("default", "tev1");
    auto has = [&](const std::string& what) {
        for (int i = 0; i < 50; i++) {
            {
                std::lock_guard lock(m);
                if (seen.find(what) != std::string::npos) return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    };
    CHECK(has("network-created"));
    CHECK(has("network-updated"));
    CHECK(has("network-renamed"));
    CHECK(has("network-deleted"));
    CHECK(has("/1.0/networks/tev1"));
}

TEST_CASE("the mock driver validates as the bridge driver but makes nothing on the host") {
    ::setenv("LIBINSTANCE_NETWORK_DRIVER", "mock", 1);
    auto n = create_bridge("tmock0", {{"ipv4.address", "10.127.0.1/24"}, {"bridge.mtu", "1400"}});
    CHECK(n.managed);
    CHECK_FALSE(link_exists("tmock0"));
    auto st = networks().state("default", "tmock0");
    CHECK(has_address(st, "10.127.0.1", "24"));
    CHECK(st.mtu == 1400);
    CHECK(error_of([] { create_bridge("tmock1", {{"nope", "1"}}); }).key() == "config.nope");
    networks().remove("default", "tmock0");
    CHECK_FALSE(record_exists("tmock0"));
    ::unsetenv("LIBINSTANCE_NETWORK_DRIVER");
}
