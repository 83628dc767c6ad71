// A real busybox container with `nic network=NAME` gets a veth on the network's bridge, reaches
// the bridge's address and gets a DHCP lease from the network's dnsmasq.
#include <doctest.h>

#include "network_support.hpp"

using namespace li;
using namespace li::test;

TEST_CASE("a container's nic network=NAME is a veth on the bridge that pings the bridge address") {
    create_bridge("tnic0", {{"ipv4.address", "10.126.1.1/24"}, {"ipv6.address", "none"}, {"bridge.mtu", "1400"}});
    api::InstancesPost post;
    post.name = "net-c1";
    post.source.alias = "busybox";
    post.devices = {{"eth0", {{"type", "nic"}, {"network", "tnic0"}, {"name", "eth0"}}}};
    post.start = true;
    Instance c = shared().mgr->instances().create("default", post);

    auto st = networks().state("default", "tnic0");
    REQUIRE(st.has_bridge);
    CHECK(st.bridge.upper_devices.size() == 1);
    CHECK(networks().get("default", "tnic0").used_by == std::vector<std::string>{"/1.0/instances/net-c1"});
    CHECK(sh(c, "cat /sys/class/net/eth0/mtu") == "1400\n");
    CHECK(sh_rc(c, "ip addr add 10.126.1.5/24 dev eth0 && ip link set eth0 up") == 0);
    CHECK(sh_rc(c, "ping -c 1 -W 5 10.126.1.1") == 0);

    // DHCP from the network's dnsmasq: the lease is listed.
    CHECK(sh_rc(c, "udhcpc -i eth0 -n -q -t 5 -s /bin/true") == 0);
    auto leases = networks().leases("default", "tnic0");
    REQUIRE(leases.size() >= 1);
    CHECK(leases[0].address.rfind("10.126.1.", 0) == 0);
    CHECK(leases[0].type == "dynamic");

    Error busy = error_of([] { networks().remove("default", "tnic0"); });
    CHECK(busy.code() == ErrorCode::Busy);
    CHECK(std::string(busy.what()).find("/1.0/instances/net-c1") != std::string::npos);

    force_stop(c);
    c.remove();
    CHECK(networks().state("default", "tnic0").bridge.upper_devices.empty());
    networks().remove("default", "tnic0");
    CHECK_FALSE(link_exists("tnic0"));
}

TEST_CASE("a nic on a network that does not exist is refused at create and update, naming it") {
    api::InstancesPost post;
    post.name = "net-c2";
    post.source.alias = "busybox";
    post.devices = {{"eth0", {{"type", "nic"}, {"network", "tmissing0"}}}};
    Error e = error_of([&] { shared().mgr->instances().create("default", post); });
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(e.key() == "devices.eth0.network");
    CHECK(std::string(e.what()).find("tmissing0") != std::string::npos);
    CHECK_FALSE(instance_exists("net-c2"));

    post.devices.clear();
    Instance c = shared().mgr->instances().create("default", post);
    auto put = api::put_of(c.info());
    put.devices["eth1"] = {{"type", "nic"}, {"network", "tmissing0"}};
    Error u = error_of([&] { c.update(put); });
    CHECK(u.key() == "devices.eth1.network");
    CHECK_FALSE(c.info().devices.count("eth1"));
    c.remove();
}
