// Manager::init, the first-use set-up: a NATed bridge with chosen subnets and the default
// profile's eth0 on it, idempotent, and refusals that name the option and change nothing.
#include <doctest.h>

#include <sys/stat.h>

#include "network_support.hpp"

using namespace li;
using namespace li::test;

TEST_CASE("init: a NATed bridge with auto subnets and the default profile's eth0; a second init changes nothing") {
    TempDir dir("li-net-init");
    auto mgr = Manager::open(dir.path() / "state");
    InitOptions opts;
    opts.network_name = "tinit0";
    InitResult first = mgr->init(opts);
    CHECK(first.network_created);
    CHECK(first.profile_nic_added);
    CHECK(first.network_name == "tinit0");

    auto network = mgr->networks().get("default", "tinit0");
    CHECK(network.managed);
    CHECK(network.config.at("ipv4.nat") == "true");
    CHECK(net::parse_cidr(network.config.at("ipv4.address")));  // "auto" was replaced by a subnet
    CHECK(net::parse_cidr(network.config.at("ipv6.address")));
    CHECK(link_exists("tinit0"));
    auto eth0 = mgr->profiles().get("default", "default").devices.at("eth0");
    CHECK(eth0 == api::ConfigMap{{"type", "nic"}, {"network", "tinit0"}, {"name", "eth0"}});
    CHECK(network.config == mgr->networks().get("default", "tinit0").config);

    InitResult again = mgr->init(opts);
    CHECK_FALSE(again.network_created);
    CHECK_FALSE(again.profile_nic_added);
    CHECK(again.network_name == "tinit0");
    CHECK(mgr->networks().get("default", "tinit0").config == network.config);

    // The default profile now holds it: it cannot go until the profile lets go.
    CHECK(error_of([&] { mgr->networks().remove("default", "tinit0"); }).code() == ErrorCode::Busy);
    auto profile = mgr->profiles().get("default", "default");
    profile.devices.erase("eth0");
    mgr->profiles().update("default", "default", api::ProfilePut{profile.description, profile.config, profile.devices});
    mgr->networks().remove("default", "tinit0");
    CHECK_FALSE(link_exists("tinit0"));
}

TEST_CASE("init: bad options and a foreign interface are refused, naming the option, changing nothing") {
    TempDir dir("li-net-init");
    auto mgr = Manager::open(dir.path() / "state");
    auto profile_before = mgr->profiles().get("default", "default").devices;

    InitOptions bad;
    bad.network_name = "tinit1";
    bad.ipv4_address = "10.300.0.1/24";
    Error e = error_of([&] { mgr->init(bad); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "ipv4_address");
    CHECK_FALSE(link_exists("tinit1"));

    bad.ipv4_address = "auto";
    bad.network_name = "this-name-is-far-too-long";
    CHECK(error_of([&] { mgr->init(bad); }).key() == "network_name");

    netlink::create_bridge("tforeign0");  // the host's own, not ours
    InitOptions foreign;
    foreign.network_name = "tforeign0";
    Error f = error_of([&] { mgr->init(foreign); });
    CHECK(f.code() == ErrorCode::AlreadyExists);
    CHECK(f.key() == "network_name");
    netlink::delete_link("tforeign0");
    CHECK(mgr->profiles().get("default", "default").devices == profile_before);

    // No network at all: nothing to put in the profile either.
    InitOptions none;
    none.network_name = "";
    InitResult r = mgr->init(none);
    CHECK_FALSE(r.network_created);
    CHECK_FALSE(r.profile_nic_added);
    CHECK(mgr->profiles().get("default", "default").devices == profile_before);
}
