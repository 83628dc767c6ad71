// nftables on real interfaces: with NAT on, a client behind the bridge reaches an "outside" host
// that has no route back to the bridge's subnet (so replies only come back when its source was
// rewritten to the host's outside address); per-NIC IPv4 filtering drops a spoofed source.
#include <doctest.h>

#include "libinstance/error.hpp"
#include "network/nftables.hpp"
#include "network_services/netns_support.hpp"

using namespace li;
using namespace li::net;
using li::test::ChildNetns;
using li::test::eventually;
using li::test::sh;
using li::test::sh_ok;

TEST_CASE("nftables: masquerading of a bridge's subnet, its removal, and a NIC filter") {
    // host: nbr0 10.78.0.1/24 with client 10.78.0.5 behind it; vo0 192.0.2.1/24 to the outside
    // host 192.0.2.2, which knows no route to 10.78.0.0/24.
    sh_ok("ip link add nbr0 type bridge && ip addr add 10.78.0.1/24 dev nbr0 && ip link set nbr0 up");
    ChildNetns client, outside;
    sh_ok("ip link add nv0 type veth peer name eth0 && ip link set nv0 master nbr0 up");
    client.take("eth0");
    sh_ok(client.in("ip addr add 10.78.0.5/24 dev eth0 && ip link set eth0 up && ip route add default via 10.78.0.1"));
    sh_ok("ip link add vo0 type veth peer name eth0 && ip addr add 192.0.2.1/24 dev vo0 && ip link set vo0 up");
    outside.take("eth0");
    sh_ok(outside.in("ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up"));
    enable_forwarding(true, false);

    auto ping_outside = [&] { return sh(client.in("busybox ping -c 1 -W 1 192.0.2.2")).status == 0; };
    REQUIRE(eventually([&] { return sh(client.in("busybox ping -c 1 -W 1 10.78.0.1")).status == 0; }));
    CHECK_FALSE(ping_outside());  // no NAT: the outside cannot answer 10.78.0.5

    NetworkFirewall fw;
    fw.network = "nbr0";
    fw.bridge = "nbr0";
    fw.ipv4_subnet = "10.78.0.1/24";
    fw.ipv4_nat = true;
    apply_network_table(fw);
    CHECK(sh_ok("nft list table inet libinstance_nbr0").find("masquerade") != std::string::npos);
    CHECK(eventually(ping_outside, 3000));

    // The outside saw the host's outside address: conntrack's reply direction of the ping goes to
    // 192.0.2.1 (where the kernel has conntrack accounting in /proc).
    std::string conntrack = sh("cat /proc/net/nf_conntrack 2>/dev/null").output;
    if (!conntrack.empty()) {
        INFO(conntrack);
        CHECK(conntrack.find("src=10.78.0.5 dst=192.0.2.2") != std::string::npos);
        CHECK(conntrack.find("src=192.0.2.2 dst=192.0.2.1") != std::string::npos);  // the reply goes to the host
    }

    // Applying again replaces the table atomically; NAT off keeps the forward rules only.
    fw.ipv4_nat = false;
    apply_network_table(fw);
    CHECK(sh_ok("nft list table inet libinstance_nbr0").find("masquerade") == std::string::npos);
    CHECK_FALSE(ping_outside());

    fw.ipv4_nat = true;
    apply_network_table(fw);
    CHECK(eventually(ping_outside, 3000));
    remove_network_table("nbr0");
    remove_network_table("nbr0");  // idempotent
    CHECK(sh("nft list table inet libinstance_nbr0").status != 0);
    CHECK_FALSE(ping_outside());

    // NIC filter: only 10.78.0.5 may be the client's source address.
    NicFilter nic;
    nic.bridge = "nbr0";
    nic.host_name = "nv0";
    // (not /sys/class/net: that sysfs shows the namespace it was mounted in)
    std::string link = sh_ok(client.in("ip -o link show eth0"));
    auto at = link.find("link/ether ");
    REQUIRE(at != std::string::npos);
    nic.hwaddr = link.substr(at + 11, 17);
    nic.mac_filtering = true;
    nic.ipv4_filtering = true;
    nic.ipv4_addresses = {"10.78.0.5"};
    apply_nic_filter(nic);
    CHECK(sh_ok("nft list table bridge libinstance_nic_nv0").find("10.78.0.5") != std::string::npos);
    CHECK(sh(client.in("busybox ping -c 1 -W 1 10.78.0.1")).status == 0);
    sh_ok(client.in("ip addr add 10.78.0.6/24 dev eth0"));
    CHECK(sh(client.in("busybox ping -c 1 -W 1 -I 10.78.0.6 10.78.0.1")).status != 0);  // spoofed source dropped
    remove_nic_filter("nv0");
    remove_nic_filter("nv0");  // idempotent
    CHECK(eventually([&] { return sh(client.in("busybox ping -c 1 -W 1 -I 10.78.0.6 10.78.0.1")).status == 0; }, 3000));

    // A filter with nothing on removes the table.
    apply_nic_filter(nic);
    nic.mac_filtering = nic.ipv4_filtering = false;
    apply_nic_filter(nic);
    CHECK(sh("nft list table bridge libinstance_nic_nv0").status != 0);

    sh_ok("ip link del nbr0 && ip link del nv0 && ip link del vo0");
}

TEST_CASE("nftables: a ruleset nft refuses is a Backend error with nft's message") {
    try {
        nft_apply("table inet libinstance_bad { chain c { nonsense; } }\n");
        FAIL("applied");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Backend);
        CHECK(std::string(e.what()).find("nonsense") != std::string::npos);
    }
    CHECK(sh("nft list table inet libinstance_bad").status != 0);
}
