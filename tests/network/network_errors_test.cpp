// Refused network changes: each gives a clear error naming the key and changes nothing (no
// bridge, no record).
#include <doctest.h>

#include "network/cidr.hpp"
#include "network_support.hpp"

using namespace li;
using namespace li::test;

namespace {
// Creating name with config fails with code and key, quoting `quoted`, and leaves nothing.
void refused(const std::string& name, std::map<std::string, std::string> config, ErrorCode code, const std::string& key,
             const std::string& quoted, const std::string& type = "bridge") {
    api::NetworksPost post;
    post.name = name;
    post.type = type;
    post.config = std::move(config);
    Error e = error_of([&] { networks().create("default", post); });
    CHECK(e.code() == code);
    CHECK(e.key() == key);
    CHECK_MESSAGE(std::string(e.what()).find(quoted) != std::string::npos, e.what());
    if (code != ErrorCode::AlreadyExists) {  // else it is the one already there
        CHECK_FALSE(link_exists(name));
        CHECK_FALSE(record_exists(name));
    }
}
}  // namespace

TEST_CASE("bad creations are refused naming the key, leaving no bridge and no record") {
    create_bridge("tbase0", {{"ipv4.address", "10.124.1.1/24"}, {"ipv6.address", "fd42:9:9:9::1/64"}});
    refused("tbad0", {{"ipv4.address", "10.124.1.77/16"}}, ErrorCode::InvalidArgument, "config.ipv4.address", "network \"tbase0\"");
    refused("tbad0", {{"ipv6.address", "fd42:9:9:9::2/48"}}, ErrorCode::InvalidArgument, "config.ipv6.address", "tbase0");
    refused("tbad0", {{"ipv4.address", "10.1.2.1/33"}}, ErrorCode::InvalidArgument, "config.ipv4.address", "10.1.2.1/33");
    refused("tbad0", {{"ipv4.address", "banana"}}, ErrorCode::InvalidArgument, "config.ipv4.address", "banana");
    refused("tbad0", {{"ipv4.address", "10.1.2.0/24"}}, ErrorCode::InvalidArgument, "config.ipv4.address", "host address");
    refused("tbad0", {{"ipv4.address", "fd42::1/64"}}, ErrorCode::InvalidArgument, "config.ipv4.address", "fd42::1/64");
    refused("tbad0", {{"foo.bar", "1"}}, ErrorCode::InvalidArgument, "config.foo.bar", "foo.bar");
    refused("tbad0", {{"ipv4.nat", "maybe"}}, ErrorCode::InvalidArgument, "config.ipv4.nat", "maybe");
    refused("tbad0", {{"bridge.mtu", "9"}}, ErrorCode::InvalidArgument, "config.bridge.mtu", "9");
    refused("tbad0", {{"bridge.hwaddr", "01:00:00:00:00:01"}}, ErrorCode::InvalidArgument, "config.bridge.hwaddr", "01:00");
    refused("tbad0", {{"dns.mode", "loud"}}, ErrorCode::InvalidArgument, "config.dns.mode", "loud");
    refused("tbad0", {{"tunnel.t1.protocol", "ipip"}}, ErrorCode::InvalidArgument, "config.tunnel.t1.protocol", "ipip");
    refused("tbase0", {}, ErrorCode::AlreadyExists, "name", "tbase0");
    refused("lo", {}, ErrorCode::AlreadyExists, "name", "lo");
    refused("a-much-too-long-name", {}, ErrorCode::InvalidArgument, "name", "15");
    refused("a/b", {}, ErrorCode::InvalidArgument, "name", "a/b");
    refused("", {}, ErrorCode::InvalidArgument, "name", "empty");
    refused("tbad0", {}, ErrorCode::NotSupported, "type", "bogus", "bogus");
    networks().remove("default", "tbase0");
}

TEST_CASE("a subnet overlapping a host route is refused naming the route") {
    netlink::create_bridge("thost0");
    netlink::set_up("thost0", true);
    netlink::add_address("thost0", *net::parse_cidr("10.125.0.1/16"));
    refused("tbad1", {{"ipv4.address", "10.125.3.1/24"}}, ErrorCode::InvalidArgument, "config.ipv4.address", "route 10.125.0.0/16 on thost0");
    netlink::delete_link("thost0");
}

TEST_CASE("a bad update changes nothing; an unmanaged interface cannot be updated") {
    create_bridge("tbad2", {{"ipv4.address", "10.124.2.1/24"}, {"ipv6.address", "none"}});
    create_bridge("tbad3", {{"ipv4.address", "10.124.3.1/24"}, {"ipv6.address", "none"}});
    api::NetworkPut put = api::put_of(networks().get("default", "tbad2"));
    put.config["ipv4.address"] = "10.124.3.9/24";
    Error e = error_of([&] { networks().update("default", "tbad2", put); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(std::string(e.what()).find("tbad3") != std::string::npos);
    put.config["ipv4.address"] = "10.124.2.1/24";
    put.config["bogus"] = "1";
    CHECK(error_of([&] { networks().update("default", "tbad2", put); }).key() == "config.bogus");
    CHECK(networks().get("default", "tbad2").config.at("ipv4.address") == "10.124.2.1/24");
    CHECK(has_address(networks().state("default", "tbad2"), "10.124.2.1", "24"));
    CHECK(error_of([] { networks().update("default", "lo", {}); }).code() == ErrorCode::InvalidArgument);
    networks().remove("default", "tbad2");
    networks().remove("default", "tbad3");
}

TEST_CASE("a network used by a profile's nic cannot be deleted or renamed") {
    create_bridge("tused0", {{"ipv4.address", "10.124.4.1/24"}, {"ipv6.address", "none"}});
    api::ProfilesPost profile;
    profile.name = "tused-profile";
    profile.devices = {{"eth0", {{"type", "nic"}, {"network", "tused0"}}}};
    shared().mgr->profiles().create("default", profile);
    CHECK(networks().get("default", "tused0").used_by == std::vector<std::string>{"/1.0/profiles/tused-profile"});
    Error e = error_of([] { networks().remove("default", "tused0"); });
    CHECK(e.code() == ErrorCode::Busy);
    CHECK(e.key() == "name");
    CHECK(std::string(e.what()).find("/1.0/profiles/tused-profile") != std::string::npos);
    CHECK(error_of([] { networks().rename("default", "tused0", "tused1"); }).code() == ErrorCode::Busy);
    CHECK(link_exists("tused0"));
    CHECK(record_exists("tused0"));
    shared().mgr->profiles().remove("default", "tused-profile");
    networks().remove("default", "tused0");
    CHECK_FALSE(link_exists("tused0"));
}

TEST_CASE("a nic with both network and nictype or parent is refused") {
    api::ProfilesPost profile;
    profile.name = "tboth";
    profile.devices = {{"eth0", {{"type", "nic"}, {"network", "x"}, {"nictype", "bridged"}}}};
    Error e = error_of([&] { shared().mgr->profiles().create("default", profile); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "devices.eth0.nictype");
}
