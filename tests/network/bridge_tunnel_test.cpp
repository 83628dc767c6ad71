// Tunnels of bridge networks (tunnel.NAME.*): the VXLAN or gretap port made, changed and removed
// with the config, and two "hosts" (this test's namespace and a child one, joined by a veth
// underlay) whose containers reach each other through one VXLAN, host B run by the `inst` CLI.
#include <doctest.h>
#include <filesystem>
#include <net/if.h>

#include "network_services/netns_support.hpp"
#include "network_support.hpp"
#include "support/temp_state.hpp"

using namespace li;
using namespace li::test;

namespace {

// `ip -d link show NAME` ("" when there is no such link).
std::string details(const std::string& name) {
    Shell r = li::test::sh("ip -d link show " + name);
    return r.status == 0 ? r.output : std::string();
}

int master_of(const std::string& name) {
    auto link = netlink::find_link(name);
    return link ? link->master : -1;
}

int index_of(const std::string& name) {
    auto link = netlink::find_link(name);
    return link ? link->index : -1;
}

api::NetworkPut put_of(const std::string& name) {
    auto n = networks().get("default", name);
    api::NetworkPut put;
    put.description = n.description;
    put.config = n.config;
    return put;
}

// Whether this kernel makes links of `kind` (the test machines lack some, e.g. gretap).
bool kernel_has(const std::string& add_args) {
    return li::test::sh("unshare -n ip link add probe0 " + add_args).status == 0;
}

}  // namespace

TEST_CASE("bridge tunnels: a vxlan port per tunnel group, changed, removed, renamed and deleted with the network") {
    std::map<std::string, std::string> config{{"ipv4.address", "none"},           {"ipv6.address", "none"},
                                              {"tunnel.t1.protocol", "vxlan"},    {"tunnel.t1.local", "192.0.2.1"},
                                              {"tunnel.t1.remote", "192.0.2.2"},  {"tunnel.t1.id", "42"}};
    create_bridge("ttun0", config);
    std::string t1 = details("ttun0-t1");
    REQUIRE(!t1.empty());
    CHECK(t1.find("vxlan id 42 remote 192.0.2.2 local 192.0.2.1") != std::string::npos);
    CHECK(t1.find("dstport 8472") != std::string::npos);  // LXD leaves the kernel's default port
    CHECK(t1.find("ttl 1 ") != std::string::npos);        // and sets ttl 1
    CHECK(master_of("ttun0-t1") == index_of("ttun0"));
    CHECK((netlink::find_link("ttun0-t1")->flags & IFF_UP) != 0);
    // As LXD, a bridge with tunnels defaults to MTU 1400, and its tunnels take the bridge's.
    CHECK(netlink::find_link("ttun0")->mtu == 1400);
    CHECK(netlink::find_link("ttun0-t1")->mtu == 1400);
    CHECK(networks().state("default", "ttun0").bridge.upper_devices == std::vector<std::string>{"ttun0-t1"});

    // A changed id makes the interface again; a new group adds one (multicast on an interface,
    // with LXD's default group and id); port and ttl are passed on.
    sh_ok("ip link add ltunul0 type veth peer name ltunul0p");
    auto put = put_of("ttun0");
    put.config["tunnel.t1.id"] = "43";
    put.config["tunnel.t1.port"] = "4789";
    put.config["tunnel.t1.ttl"] = "9";
    put.config["tunnel.t2.protocol"] = "vxlan";
    put.config["tunnel.t2.interface"] = "ltunul0";
    networks().update("default", "ttun0", put);
    t1 = details("ttun0-t1");
    CHECK(t1.find("vxlan id 43 ") != std::string::npos);
    CHECK(t1.find("dstport 4789") != std::string::npos);
    CHECK(t1.find("ttl 9 ") != std::string::npos);
    std::string t2 = details("ttun0-t2");
    CHECK(t2.find("vxlan id 1 group 239.0.0.1 dev ltunul0") != std::string::npos);
    CHECK(master_of("ttun0-t2") == index_of("ttun0"));

    // A group removed from the config takes its interface with it.
    put = put_of("ttun0");
    for (const char* key : {"tunnel.t1.protocol", "tunnel.t1.local", "tunnel.t1.remote", "tunnel.t1.id", "tunnel.t1.port", "tunnel.t1.ttl"})
        put.config.erase(key);
    networks().update("default", "ttun0", put);
    CHECK_FALSE(link_exists("ttun0-t1"));
    CHECK(link_exists("ttun0-t2"));

    // A name that would make too long an interface is refused, naming the key, and changes nothing.
    put.config["tunnel.waytoolong.protocol"] = "vxlan";
    Error longer = error_of([&] { networks().update("default", "ttun0", put); });
    CHECK(longer.code() == ErrorCode::InvalidArgument);
    CHECK(longer.key() == "config.tunnel.waytoolong.protocol");
    CHECK(std::string(longer.what()).find("ttun0-waytoolong") != std::string::npos);
    CHECK_FALSE(networks().get("default", "ttun0").config.count("tunnel.waytoolong.protocol"));
    Error at_create = error_of([] { create_bridge("ttunlong0", {{"ipv4.address", "none"}, {"ipv6.address", "none"}, {"tunnel.abcdefg.id", "5"}}); });
    CHECK(at_create.key() == "config.tunnel.abcdefg.id");
    CHECK_FALSE(link_exists("ttunlong0"));

    // Renamed: the tunnels follow the bridge's name.
    networks().rename("default", "ttun0", "ttun1");
    CHECK_FALSE(link_exists("ttun0-t2"));
    CHECK(master_of("ttun1-t2") == index_of("ttun1"));

    networks().remove("default", "ttun1");
    CHECK_FALSE(link_exists("ttun1"));
    CHECK_FALSE(link_exists("ttun1-t2"));
    sh_ok("ip link delete ltunul0");
}

TEST_CASE("bridge tunnels: gre makes a gretap port (or, without kernel support, an error naming the tunnel)") {
    std::map<std::string, std::string> config{{"ipv4.address", "none"},         {"ipv6.address", "none"},
                                              {"tunnel.g1.protocol", "gre"},    {"tunnel.g1.local", "192.0.2.1"},
                                              {"tunnel.g1.remote", "192.0.2.9"}};
    if (kernel_has("type gretap local 192.0.2.1 remote 192.0.2.9")) {
        create_bridge("tgre0", config);
        std::string g1 = details("tgre0-g1");
        CHECK(g1.find("gretap remote 192.0.2.9 local 192.0.2.1") != std::string::npos);
        CHECK(master_of("tgre0-g1") == index_of("tgre0"));
        networks().remove("default", "tgre0");
        CHECK_FALSE(link_exists("tgre0-g1"));
    } else {
        Error e = error_of([&] { create_bridge("tgre0", config); });
        CHECK(e.key() == "config.tunnel.g1.protocol");
        CHECK(std::string(e.what()).find("tgre0-g1") != std::string::npos);
        CHECK_FALSE(link_exists("tgre0"));  // the half-made bridge went
        CHECK_FALSE(record_exists("tgre0"));
    }
    // Partial gre groups are skipped as LXD does: no remote, no interface.
    create_bridge("tgre1", {{"ipv4.address", "none"}, {"ipv6.address", "none"}, {"tunnel.g1.protocol", "gre"}, {"tunnel.g1.local", "192.0.2.1"}});
    CHECK_FALSE(link_exists("tgre1-g1"));
    networks().remove("default", "tgre1");
}

#ifdef LI_INST_BINARY
namespace {

// Host B: `inst --state-dir DIR ARGS` in the child namespace, with a sysfs of that namespace
// (the nic code reads /sys/class/net) and the cgroup tree kept under it.
struct HostB {
    ChildNetns ns;
    TempDir dir{"li-hostb"};
    Shell inst(const std::string& args) const {
        std::string setup =
            "k=$(mktemp -d) && mount --rbind /sys/fs/cgroup $k && mount -t sysfs sysfs /sys && mount --move $k /sys/fs/cgroup && rmdir $k";
        return li::test::sh("nsenter --net=/proc/" + std::to_string(ns.pid()) + "/ns/net unshare -m --propagation private sh -c '" +
                            setup + " && exec " + LI_INST_BINARY + " --state-dir " + dir.path().string() + " " + args + "'");
    }
    std::string inst_ok(const std::string& args) const {
        Shell r = inst(args);
        INFO("inst " << args);
        INFO(r.output);
        REQUIRE(r.status == 0);
        return r.output;
    }
};

}  // namespace

TEST_CASE("two hosts joined by vxlan: containers on each host's bridge ping each other") {
    HostB b;
    // The underlay: a veth between the hosts, 192.0.2.1 here and 192.0.2.2 on host B.
    sh_ok("ip link add lulA type veth peer name lulB");
    b.ns.take("lulB");
    sh_ok("ip addr add 192.0.2.1/24 dev lulA && ip link set lulA up");
    sh_ok(b.ns.in("ip addr add 192.0.2.2/24 dev lulB && ip link set lulB up"));

    // Host A: a bridge through the shared manager and a container on it.
    create_bridge("tvx0", {{"ipv4.address", "none"},        {"ipv6.address", "none"},       {"tunnel.t1.protocol", "vxlan"},
                           {"tunnel.t1.local", "192.0.2.1"}, {"tunnel.t1.remote", "192.0.2.2"}, {"tunnel.t1.id", "42"}});
    api::InstancesPost post;
    post.name = "vx-a";
    post.source.alias = "busybox";
    post.devices = {{"eth0", {{"type", "nic"}, {"network", "tvx0"}, {"name", "eth0"}}}};
    post.start = true;
    Instance a = shared().mgr->instances().create("default", post);
    CHECK(sh_rc(a, "ip addr add 10.200.0.10/24 dev eth0 && ip link set eth0 up") == 0);

    // Host B: the same network with local and remote swapped, made by our CLI.
    b.inst_ok("image build busybox --alias busybox");
    b.inst_ok("network create tvx0 ipv4.address=none ipv6.address=none tunnel.t1.protocol=vxlan tunnel.t1.local=192.0.2.2 "
              "tunnel.t1.remote=192.0.2.1 tunnel.t1.id=42");
    CHECK(li::test::sh(b.ns.in("ip -d link show tvx0-t1")).output.find("vxlan id 42 remote 192.0.2.1") != std::string::npos);
    b.inst_ok("launch busybox vx-b --network tvx0");
    b.inst_ok("exec vx-b -- sh -c \"ip addr add 10.200.0.20/24 dev eth0 && ip link set eth0 up\"");

    CHECK(eventually([&] { return sh_rc(a, "ping -c 1 -W 2 10.200.0.20") == 0; }, 15000));
    CHECK(b.inst("exec vx-b -- ping -c 1 -W 5 10.200.0.10").status == 0);

    // Another VNI on host A only: the hosts no longer share a segment.
    auto put = put_of("tvx0");
    put.config["tunnel.t1.id"] = "77";
    networks().update("default", "tvx0", put);
    CHECK(details("tvx0-t1").find("vxlan id 77 ") != std::string::npos);
    CHECK(sh_rc(a, "ping -c 1 -W 2 10.200.0.20") != 0);

    b.inst_ok("delete -f vx-b");
    b.inst_ok("network delete tvx0");
    CHECK(li::test::sh(b.ns.in("ip link show tvx0-t1")).status != 0);
    force_stop(a);
    a.remove();
    networks().remove("default", "tvx0");
    CHECK_FALSE(link_exists("tvx0-t1"));
    sh_ok("ip link delete lulA");
}
#endif
