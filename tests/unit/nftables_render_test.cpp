// The nftables scripts of managed bridges: a network's own table (NAT, forward, host services)
// and per-NIC filters, golden.
#include <doctest.h>

#include <string>

#include "libinstance/error.hpp"
#include "network/nftables.hpp"

using namespace li;
using namespace li::net;

TEST_CASE("nftables: a network with IPv4 and IPv6 NAT") {
    NetworkFirewall f;
    f.network = "lxdbr0";
    f.bridge = "lxdbr0";
    f.ipv4_subnet = "10.1.2.1/24";
    f.ipv4_nat = true;
    f.ipv6_subnet = "fd42:1:2:3::1/64";
    f.ipv6_nat = true;
    CHECK(render_network_ruleset(f) ==
          "add table inet libinstance_lxdbr0\n"
          "delete table inet libinstance_lxdbr0\n"
          "table inet libinstance_lxdbr0 {\n"
          "\tchain pstrt.lxdbr0 {\n"
          "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
          "\t\tip saddr 10.1.2.0/24 ip daddr != 10.1.2.0/24 masquerade\n"
          "\t\tip6 saddr fd42:1:2:3::/64 ip6 daddr != fd42:1:2:3::/64 masquerade\n"
          "\t}\n"
          "\tchain fwd.lxdbr0 {\n"
          "\t\ttype filter hook forward priority filter; policy accept;\n"
          "\t\tiifname \"lxdbr0\" accept\n"
          "\t\toifname \"lxdbr0\" accept\n"
          "\t}\n"
          "\tchain in.lxdbr0 {\n"
          "\t\ttype filter hook input priority filter; policy accept;\n"
          "\t\tiifname \"lxdbr0\" tcp dport 53 accept\n"
          "\t\tiifname \"lxdbr0\" udp dport { 53, 67, 547 } accept\n"
          "\t\tiifname \"lxdbr0\" icmp type { destination-unreachable, time-exceeded, parameter-problem, echo-request } accept\n"
          "\t\tiifname \"lxdbr0\" icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
          "echo-request, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept\n"
          "\t}\n"
          "\tchain out.lxdbr0 {\n"
          "\t\ttype filter hook output priority filter; policy accept;\n"
          "\t\toifname \"lxdbr0\" udp sport { 67, 547 } accept\n"
          "\t\toifname \"lxdbr0\" icmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n"
          "\t\toifname \"lxdbr0\" icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
          "echo-request, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept\n"
          "\t}\n"
          "}\n");
}

TEST_CASE("nftables: NAT off, SNAT address, no services") {
    NetworkFirewall f;
    f.network = "net-1";
    f.bridge = "net-1";
    f.ipv4_subnet = "192.168.7.129/25";
    f.accept_services = false;
    CHECK(render_network_ruleset(f) ==
          "add table inet libinstance_net-1\ndelete table inet libinstance_net-1\ntable inet libinstance_net-1 {\n}\n");
    f.ipv4_nat = true;
    f.ipv4_nat_address = "198.51.100.7";
    CHECK(render_network_ruleset(f).find("\t\tip saddr 192.168.7.128/25 ip daddr != 192.168.7.128/25 snat ip to 198.51.100.7\n") !=
          std::string::npos);
}

TEST_CASE("nftables: bad subnets and names name their key") {
    NetworkFirewall f;
    f.network = "n";
    f.bridge = "n";
    f.ipv4_subnet = "10.1.2.1";
    try {
        render_network_ruleset(f);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.key() == "config.ipv4.address");
    }
    f.ipv4_subnet.clear();
    f.network = "a b";
    CHECK_THROWS_AS(render_network_ruleset(f), Error);
    CHECK(render_remove_table("inet", network_table_name("x")) == "add table inet libinstance_x\ndelete table inet libinstance_x\n");
}

TEST_CASE("nftables: per-NIC MAC and IP filtering in a bridge table") {
    NicFilter f;
    f.bridge = "lxdbr0";
    f.host_name = "veth1234";
    f.hwaddr = "00:16:3e:00:00:01";
    CHECK(render_nic_filter(f).empty());
    f.mac_filtering = true;
    f.ipv4_filtering = true;
    f.ipv4_addresses = {"10.1.2.50"};
    f.ipv6_filtering = true;
    std::string rules =
        "\t\tiifname \"veth1234\" ether saddr != 00:16:3e:00:00:01 drop\n"
        "\t\tiifname \"veth1234\" ether type arp arp saddr ether != 00:16:3e:00:00:01 drop\n"
        "\t\tiifname \"veth1234\" ether type ip ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp dport 67 accept\n"
        "\t\tiifname \"veth1234\" ether type arp arp saddr ip != { 10.1.2.50 } drop\n"
        "\t\tiifname \"veth1234\" ether type ip ip saddr != { 10.1.2.50 } drop\n"
        "\t\tiifname \"veth1234\" ether type ip6 icmpv6 type nd-router-advert drop\n"
        "\t\tiifname \"veth1234\" ether type ip6 ip6 saddr != { ::, fe80::/10 } drop\n";
    CHECK(render_nic_filter(f) ==
          "add table bridge libinstance_nic_veth1234\ndelete table bridge libinstance_nic_veth1234\n"
          "table bridge libinstance_nic_veth1234 {\n"
          "\tchain fwd.veth1234 {\n\t\ttype filter hook forward priority filter; policy accept;\n" + rules + "\t}\n"
          "\tchain in.veth1234 {\n\t\ttype filter hook input priority filter; policy accept;\n" + rules + "\t}\n"
          "}\n");
    f.mac_filtering = false;
    f.ipv6_filtering = false;
    f.ipv4_addresses.clear();  // no address: no IPv4 but DHCP
    std::string none = render_nic_filter(f);
    CHECK(none.find("iifname \"veth1234\" ether type ip drop\n") != std::string::npos);
    CHECK(none.find("iifname \"veth1234\" ether type arp drop\n") != std::string::npos);
}
