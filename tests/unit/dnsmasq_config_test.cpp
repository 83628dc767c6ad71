// dnsmasq's command line for a managed bridge (golden, modelled on LXD 5.0's), static host lines
// and the lease list read back from dnsmasq's files.
#include <doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "libinstance/error.hpp"
#include "network/dnsmasq.hpp"
#include "network/dnsmasq_config.hpp"
#include "support/temp_state.hpp"

using namespace li;
using namespace li::net;

namespace {

std::string joined(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) out += a + "\n";
    return out;
}

DnsmasqConfig base() {
    DnsmasqConfig c;
    c.network = "lxdbr0";
    c.bridge = "lxdbr0";
    c.dir = "/s/networks/lxdbr0";
    c.ipv4_address = "10.1.2.1/24";
    return c;
}

const char* kHead =
    "--keep-in-foreground\n--strict-order\n--bind-interfaces\n--except-interface=lo\n--pid-file=\n--no-ping\n"
    "--interface=lxdbr0\n--dhcp-rapid-commit\n--no-negcache\n--quiet-dhcp\n--quiet-dhcp6\n--quiet-ra\n";
const char* kTail = "--conf-file=/s/networks/lxdbr0/dnsmasq.raw\n--user=nobody\n--group=nogroup\n";

}  // namespace

TEST_CASE("dnsmasq: IPv4 with DHCP over the whole subnet and managed DNS (LXD's defaults)") {
    CHECK(joined(dnsmasq_args(base())) ==
          std::string(kHead) +
              "--listen-address=10.1.2.1\n--dhcp-no-override\n--dhcp-authoritative\n"
              "--dhcp-leasefile=/s/networks/lxdbr0/dnsmasq.leases\n--dhcp-hostsdir=/s/networks/lxdbr0/dnsmasq.hosts\n"
              "--dhcp-range\n10.1.2.2,10.1.2.254,1h\n"
              "--domain=lxd\n--interface-name\n_gateway.lxd,lxdbr0\n--local=/lxd/\n" + kTail);
}

TEST_CASE("dnsmasq: ranges, expiry, gateway, MTU, search, domain and raw lines") {
    auto c = base();
    c.ipv4_address = "10.5.0.1/16";
    c.ipv4_dhcp_ranges = "10.5.0.10-10.5.0.20, 10.5.1.1-10.5.1.9";
    c.ipv4_dhcp_expiry = "12h";
    c.ipv4_dhcp_gateway = "10.5.0.254";
    c.mtu = 1400;
    c.dns_search = "example.org";
    c.dns_domain = "inst";
    c.raw = "dhcp-option=6,1.1.1.1";
    CHECK(joined(dnsmasq_args(c)) ==
          std::string(kHead) +
              "--listen-address=10.5.0.1\n--dhcp-no-override\n--dhcp-authoritative\n"
              "--dhcp-leasefile=/s/networks/lxdbr0/dnsmasq.leases\n--dhcp-hostsdir=/s/networks/lxdbr0/dnsmasq.hosts\n"
              "--dhcp-option-force=3,10.5.0.254\n--dhcp-option-force=26,1400\n--dhcp-option-force=119,example.org\n"
              "--dhcp-range\n10.5.0.10,10.5.0.20,12h\n--dhcp-range\n10.5.1.1,10.5.1.9,12h\n"
              "--domain=inst\n--interface-name\n_gateway.inst,lxdbr0\n--local=/inst/\n" + kTail);
    CHECK(dnsmasq_raw_conf(c) == "dhcp-option=6,1.1.1.1\n");
    c.mtu = 1500;  // the default MTU is not sent
    CHECK(joined(dnsmasq_args(c)).find("26,") == std::string::npos);
}

TEST_CASE("dnsmasq: the default range ends before the broadcast address of odd prefixes") {
    auto c = base();
    c.ipv4_address = "192.168.7.129/25";
    CHECK(joined(dnsmasq_args(c)).find("--dhcp-range\n192.168.7.130,192.168.7.254,1h\n") != std::string::npos);
    c.ipv4_address = "10.0.0.1/8";
    CHECK(joined(dnsmasq_args(c)).find("--dhcp-range\n10.0.0.2,10.255.255.254,1h\n") != std::string::npos);
}

TEST_CASE("dnsmasq: IPv6 stateless, stateful, ranges and RA only") {
    auto c = base();
    c.ipv4_address.clear();
    c.ipv6_address = "fd42:1:2:3::1/64";
    std::string stateless = joined(dnsmasq_args(c));
    CHECK(stateless.find("--listen-address=fd42:1:2:3::1\n--enable-ra\n--dhcp-no-override\n") != std::string::npos);
    CHECK(stateless.find("--dhcp-range\n::,constructor:lxdbr0,ra-stateless,ra-names\n") != std::string::npos);

    c.ipv6_dhcp_stateful = true;
    CHECK(joined(dnsmasq_args(c)).find("--dhcp-range\nfd42:1:2:3::2,fd42:1:2:3:ffff:ffff:ffff:ffff,64,1h\n") !=
          std::string::npos);
    c.ipv6_dhcp_ranges = "fd42:1:2:3::100-fd42:1:2:3::1ff";
    CHECK(joined(dnsmasq_args(c)).find("--dhcp-range\nfd42:1:2:3::100,fd42:1:2:3::1ff,64,1h\n") != std::string::npos);

    c.ipv6_dhcp = false;
    std::string ra_only = joined(dnsmasq_args(c));
    CHECK(ra_only.find("--dhcp-range\n::,constructor:lxdbr0,ra-only\n") != std::string::npos);
    CHECK(ra_only.find("--dhcp-leasefile") == std::string::npos);
}

TEST_CASE("dnsmasq: both families share one lease file; no DHCP without ipv4.dhcp") {
    auto c = base();
    c.ipv6_address = "fd42::1/64";
    std::string both = joined(dnsmasq_args(c));
    CHECK(both.find("--dhcp-leasefile") == both.rfind("--dhcp-leasefile"));
    c.ipv4_dhcp = false;
    c.ipv6_address.clear();
    std::string none = joined(dnsmasq_args(c));
    CHECK(none.find("--dhcp-range") == std::string::npos);
    CHECK(none.find("--listen-address=10.1.2.1\n") != std::string::npos);
}

TEST_CASE("dnsmasq: dns.mode=none turns DNS off") {
    auto c = base();
    c.dns_mode = "none";
    std::string args = joined(dnsmasq_args(c));
    CHECK(args.find("--port=0\n") != std::string::npos);
    CHECK(args.find("--domain") == std::string::npos);
    CHECK(args.find("--local") == std::string::npos);
}

TEST_CASE("dnsmasq: bad addresses and ranges name their key") {
    auto c = base();
    c.ipv4_dhcp_ranges = "10.1.2.10";
    try {
        dnsmasq_args(c);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "config.ipv4.dhcp.ranges");
        CHECK(std::string(e.what()).find("10.1.2.10") != std::string::npos);
    }
    c = base();
    c.ipv4_address = "fd42::1/64";
    try {
        dnsmasq_args(c);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.key() == "config.ipv4.address");
    }
}

TEST_CASE("dnsmasq: config from LXD keys") {
    auto c = dnsmasq_config_from("net0", "net0", "/s/networks/net0",
                                 {{"ipv4.address", "10.9.0.1/24"}, {"ipv4.dhcp", "false"}, {"ipv6.address", "none"},
                                  {"dns.mode", "dynamic"}, {"bridge.mtu", "9000"}, {"raw.dnsmasq", "x=y"}});
    CHECK(c.ipv4_address == "10.9.0.1/24");
    CHECK_FALSE(c.ipv4_dhcp);
    CHECK(c.ipv6_address.empty());
    CHECK(c.ipv6_dhcp);
    CHECK(c.dns_domain == "lxd");
    CHECK(c.dns_mode == "dynamic");
    CHECK(c.mtu == 9000);
    CHECK(c.raw == "x=y");
    CHECK(dnsmasq_wanted(c));
    CHECK_FALSE(dnsmasq_wanted(dnsmasq_config_from("n", "n", "/d", {{"ipv4.address", "none"}})));
    CHECK_THROWS_AS(dnsmasq_config_from("n", "n", "/d", {{"bridge.mtu", "big"}}), Error);
}

TEST_CASE("dnsmasq: static host lines") {
    CHECK(dnsmasq_host_line("00:16:3e:00:00:01", "10.1.2.50", "", "c1") == "00:16:3e:00:00:01,10.1.2.50,c1");
    CHECK(dnsmasq_host_line("00:16:3e:00:00:01", "10.1.2.50", "fd42::50", "c1") ==
          "00:16:3e:00:00:01,10.1.2.50,[fd42::50],c1");
    CHECK(dnsmasq_host_line("00:16:3e:00:00:01", "", "", "c1") == "00:16:3e:00:00:01,c1");
    CHECK(dnsmasq_host_line("00:16:3e:00:00:01", "", "", "") == "");
    CHECK(dnsmasq_host_file_name("c1", "eth0") == "c1.eth0");
}

TEST_CASE("dnsmasq: static hosts and leases read back") {
    test::TempDir dir;
    auto hosts = dir.path() / "dnsmasq.hosts";
    set_static_host(hosts, {"c1", "eth0", "00:16:3e:00:00:01", "10.1.2.50", "", true});
    set_static_host(hosts, {"c2", "eth0", "00:16:3E:00:00:02", "", "", true});  // a name, no address
    set_static_host(hosts, {"c3", "eth1", "00:16:3e:00:00:03", "", "", false});  // nothing: no file
    CHECK(std::filesystem::exists(hosts / "c1.eth0"));
    CHECK_FALSE(std::filesystem::exists(hosts / "c3.eth1"));
    {
        std::ofstream leases(dir.path() / "dnsmasq.leases");
        leases << "1700000000 00:16:3e:00:00:01 10.1.2.50 c1 01:00:16:3e:00:00:01\n"  // the reservation itself
               << "1700000000 00:16:3e:00:00:02 10.1.2.77 c2 *\n"
               << "1700000000 00:16:3e:00:00:09 10.1.2.78 laptop *\n"
               << "1700000000 00:16:3e:00:00:0a 10.1.2.79 * *\n"
               << "duid 00:01:00:01:2c:aa:bb:cc:00:16:3e:00:00:ff\n"
               << "1700000000 1234 fd42::99 c2 00:01:00:01:2c:aa:bb:cc:00:16:3e:00:00:02\n";
    }
    auto leases = read_leases(dir.path());
    REQUIRE(leases.size() == 5);
    CHECK(leases[0].hostname == "c1");
    CHECK(leases[0].address == "10.1.2.50");
    CHECK(leases[0].type == "static");
    CHECK(leases[1].hostname == "c2");
    CHECK(leases[1].hwaddr == "00:16:3e:00:00:02");
    CHECK(leases[1].type == "dynamic");
    CHECK(leases[2].hostname == "laptop");
    CHECK(leases[3].hostname == "");
    CHECK(leases[4].address == "fd42::99");
    CHECK(leases[4].hwaddr == "00:16:3e:00:00:02");
    CHECK(leases[4].hostname == "c2");

    remove_static_host(hosts, "c1", "eth0");
    remove_static_host(hosts, "c1", "eth0");  // idempotent
    CHECK_FALSE(std::filesystem::exists(hosts / "c1.eth0"));
    CHECK(read_leases(dir.path() / "missing").empty());
}

TEST_CASE("dnsmasq: an instance of another project has its own host file and INSTANCE.PROJECT as DNS name") {
    test::TempDir dir;
    auto hosts = dir.path() / "dnsmasq.hosts";
    set_static_host(hosts, {"c1", "eth0", "00:16:3e:00:00:01", "", "", true});
    set_static_host(hosts, {"c1", "eth0", "00:16:3e:00:00:02", "", "", true, "p2"});
    std::ifstream own(hosts / "p2_c1.eth0");
    std::string line;
    std::getline(own, line);
    CHECK(line == "00:16:3e:00:00:02,c1.p2");
    CHECK(std::filesystem::exists(hosts / "c1.eth0"));  // the default project's c1 is untouched
    remove_static_host(hosts, "c1", "eth0", "p2");
    CHECK_FALSE(std::filesystem::exists(hosts / "p2_c1.eth0"));
    CHECK(std::filesystem::exists(hosts / "c1.eth0"));
}
