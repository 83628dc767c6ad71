// Containers on a managed bridge, end to end: DHCP leases named after the instances, a static
// reservation, names resolving in dns.domain, an "outside" namespace reached through NAT that
// sees the host's address, IPv4 filtering of a nic; and dnsmasq staying with the running
// containers of a closed manager, adopted by the next one.
#include <doctest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>
#include <sys/stat.h>

#include "network_services/netns_support.hpp"
#include "network_support.hpp"

using namespace li;
using namespace li::test;

namespace {

// Applies a lease to the interface (busybox udhcpc only reports it to its script).
const char* kDhcpScript = R"(cat > /tmp/dhcp.sh <<'EOF'
#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    ;;
esac
exit 0
EOF
chmod +x /tmp/dhcp.sh)";

Instance launch_on(Manager& mgr, const std::string& name, const std::string& network, api::ConfigMap nic = {}) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    nic["type"] = "nic";
    nic["network"] = network;
    nic["name"] = "eth0";
    post.devices = {{"eth0", nic}};
    post.start = true;
    return mgr.instances().create("default", post);
}

// DHCP in the container until it has an address (dnsmasq may just be (re)reading its hosts).
std::string dhcp(Instance& c) {
    REQUIRE(sh_rc(c, kDhcpScript) == 0);
    for (int attempt = 0; attempt < 3; attempt++)
        if (sh_rc(c, "udhcpc -i eth0 -n -q -t 5 -T 1 -s /tmp/dhcp.sh") == 0) break;
    std::string out = sh(c, "ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1");
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

const api::NetworkLease* lease_of(const std::vector<api::NetworkLease>& leases, const std::string& host) {
    for (const auto& l : leases)
        if (l.hostname == host) return &l;
    return nullptr;
}

bool process_alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

TEST_CASE("containers on a managed bridge: leases by name, a reservation, DNS, NAT to the outside, filtering") {
    create_bridge("tdns0", {{"ipv4.address", "10.127.1.1/24"}, {"ipv4.nat", "true"}, {"ipv6.address", "none"},
                            {"dns.domain", "lab"}});
    Manager& mgr = *shared().mgr;
    Instance c1 = launch_on(mgr, "dns-c1", "tdns0");
    Instance c2 = launch_on(mgr, "dns-c2", "tdns0", {{"ipv4.address", "10.127.1.50"}});

    std::string a1 = dhcp(c1);
    CHECK(a1.rfind("10.127.1.", 0) == 0);
    CHECK(dhcp(c2) == "10.127.1.50");  // the reservation

    auto leases = networks().leases("default", "tdns0");
    const auto* l2 = lease_of(leases, "dns-c2");
    REQUIRE(l2);
    CHECK(l2->address == "10.127.1.50");
    CHECK(l2->type == "static");
    const auto* l1 = lease_of(leases, "dns-c1");
    REQUIRE(l1);
    CHECK(l1->address == a1);

    // Each resolves the other by name through the bridge's dnsmasq.
    std::string looked = sh(c1, "nslookup dns-c2.lab 10.127.1.1");
    INFO(looked);
    CHECK(looked.find("10.127.1.50") != std::string::npos);
    looked = sh(c2, "nslookup dns-c1.lab 10.127.1.1");
    INFO(looked);
    CHECK(looked.find(a1) != std::string::npos);

    // NAT: an outside namespace without a route back to 10.127.1.0/24 answers, and sees the
    // host's own outside address as the source.
    ChildNetns outside;
    sh_ok("ip link add tvo0 type veth peer name eth0 && ip addr add 192.0.2.1/24 dev tvo0 && ip link set tvo0 up");
    outside.take("eth0");
    sh_ok(outside.in("ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up"));
    CHECK(sh_rc(c1, "ping -c 1 -W 5 192.0.2.2") == 0);
    std::string seen_file = "/tmp/li-nat-seen-" + std::to_string(::getpid());
    sh_ok(outside.in(
        "(timeout 30 python3 -c \"import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
        "s.bind(('192.0.2.2', 7070)); s.listen(1); c, a = s.accept(); open('" + seen_file + "', 'w').write(a[0])\" "
        ">/dev/null 2>&1 &)"));
    // Until the listener is up (python starting in the other namespace): an exec is a few
    // milliseconds, so the attempts are paced, not just counted.
    bool sent = false;
    for (int attempt = 0; attempt < 50 && !sent; attempt++) {
        sent = sh_rc(c1, "echo hello | nc -w 2 192.0.2.2 7070") == 0 &&
               eventually([&] { return std::ifstream(seen_file).good(); }, 1000);
        if (!sent) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    REQUIRE(sent);
    std::string seen;
    CHECK(eventually([&] { std::ifstream(seen_file) >> seen; return !seen.empty(); }, 3000));
    CHECK(seen == "192.0.2.1");
    std::remove(seen_file.c_str());
    sh_ok("ip link del tvo0");

    // security.ipv4_filtering: the reserved address passes, a spoofed one is dropped.
    force_stop(c2);
    auto put = api::put_of(c2.info());
    put.devices["eth0"]["security.ipv4_filtering"] = "true";
    c2.update(put);
    c2.start();
    CHECK(dhcp(c2) == "10.127.1.50");
    CHECK(sh_rc(c2, "ping -c 1 -W 3 10.127.1.1") == 0);
    CHECK(sh_rc(c2, "ip addr add 10.127.1.66/24 dev eth0 && ping -c 1 -W 2 -I 10.127.1.66 10.127.1.1") != 0);

    // Filtering without a reserved address: the nic keeps its lease's address, fixed for it.
    force_stop(c1);
    put = api::put_of(c1.info());
    put.devices["eth0"]["security.ipv4_filtering"] = "true";
    c1.update(put);
    c1.start();
    CHECK(dhcp(c1) == a1);
    CHECK(sh_rc(c1, "ping -c 1 -W 3 10.127.1.1") == 0);
    CHECK(sh_rc(c1, "ip addr add 10.127.1.67/24 dev eth0 && ping -c 1 -W 2 -I 10.127.1.67 10.127.1.1") != 0);

    // A reservation outside the subnet is refused at start, naming the key.
    force_stop(c2);
    put = api::put_of(c2.info());
    put.devices["eth0"]["ipv4.address"] = "10.99.0.5";
    c2.update(put);
    Error bad = error_of([&] { c2.start(); });
    CHECK(bad.key() == "devices.eth0.ipv4.address");

    force_stop(c1);
    c1.remove();
    c2.remove();
    networks().remove("default", "tdns0");
}

TEST_CASE("dnsmasq stays with the running containers of a closed manager; the next one adopts it") {
    TempDir dir("li-net-adopt");
    ::chmod(dir.path().c_str(), 0711);  // unprivileged containers and dnsmasq traverse it
    pid_t dnsmasq = 0;
    {
        auto mgr = open_with_busybox(dir.path() / "state");
        api::NetworksPost post;
        post.name = "tadopt0";
        post.config = {{"ipv4.address", "10.127.2.1/24"}, {"ipv6.address", "none"}};
        mgr->networks().create("default", post);
        Instance c = launch_on(*mgr, "adopt-c1", "tadopt0");
        CHECK(!dhcp(c).empty());
        std::ifstream(dir.path() / "state" / "networks" / "tadopt0" / "dnsmasq.pid") >> dnsmasq;
        REQUIRE(process_alive(dnsmasq));
    }
    CHECK(process_alive(dnsmasq));  // the container still needs it
    {
        auto mgr = Manager::open(dir.path() / "state");
        Instance c = mgr->instances().get("default", "adopt-c1");
        CHECK(dhcp(c).rfind("10.127.2.", 0) == 0);  // renewed from the adopted dnsmasq
        pid_t now = 0;
        std::ifstream(dir.path() / "state" / "networks" / "tadopt0" / "dnsmasq.pid") >> now;
        CHECK(now == dnsmasq);  // adopted, not replaced
        force_stop(c);
        c.remove();
    }
    // Nothing on the bridge any more: the closing manager stopped it.
    CHECK(eventually([&] { return !process_alive(dnsmasq); }, 6000));
    {
        auto mgr = Manager::open(dir.path() / "state");
        mgr->networks().remove("default", "tadopt0");
    }
    CHECK_FALSE(link_exists("tadopt0"));
}
