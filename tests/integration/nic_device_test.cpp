// nic devices against real containers and real host links: bridged onto a test bridge (pinging
// the bridge from inside), p2p with traffic control, macvlan and physical on veth ends,
// hot-plug and unplug, and bad values. Every host link a test makes has a name unique to this
// process and is deleted at the end.
#include <doctest.h>
#include <filesystem>
#include <unistd.h>

#include "integration/shared_manager.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {


bool host_link(const std::string& name) { return fs::exists("/sys/class/net/" + name); }

// A name no other test run uses: prefix + this process's pid (interface names have 15 chars).
std::string unique(const std::string& prefix) { return prefix + std::to_string(::getpid() % 1000000); }

// A host link made for a test (`ip link add NAME <args>`), deleted when the test ends.
struct HostLink {
    std::string name;
    HostLink(std::string n, std::vector<std::string> type_args) : name(std::move(n)) {
        std::vector<std::string> argv{"ip", "link", "add", "dev", name};
        argv.insert(argv.end(), type_args.begin(), type_args.end());
        run_checked(argv, "test link");
        run_checked({"ip", "link", "set", "dev", name, "up"}, "test link up");
    }
    ~HostLink() {
        try {
            if (host_link(name)) run_checked({"ip", "link", "delete", "dev", name}, "test link removal");
        } catch (...) {
        }
    }
};

std::string tc_qdiscs(const std::string& dev) { return run_checked({"tc", "qdisc", "show", "dev", dev}, "tc"); }

}  // namespace

TEST_CASE("nic bridged: a veth on a host bridge with hwaddr, mtu and name; ping the bridge from inside") {
    HostLink bridge(unique("brlt"), {"type", "bridge"});
    run_checked({"ip", "addr", "add", "10.213.77.1/24", "dev", bridge.name}, "bridge address");
    std::string host = unique("vlt");
    Instance c = launch("nic-br1", false);
    c.add_device("eth0", {{"type", "nic"}, {"nictype", "bridged"}, {"parent", bridge.name}, {"hwaddr", "00:16:3e:aa:bb:cc"},
                          {"mtu", "1400"}, {"host_name", host}});
    c.start();
    CHECK(sh(c, "cat /sys/class/net/eth0/address") == "00:16:3e:aa:bb:cc\n");
    CHECK(sh(c, "cat /sys/class/net/eth0/mtu") == "1400\n");
    REQUIRE(host_link(host));
    CHECK(fs::read_symlink("/sys/class/net/" + host + "/master").filename() == bridge.name);
    CHECK(sh_rc(c, "ip addr add 10.213.77.2/24 dev eth0") == 0);
    CHECK(sh_rc(c, "ping -c 1 -W 5 10.213.77.1") == 0);
    CHECK(sh_rc(c, "ping -c 1 -W 1 10.213.77.99") != 0);  // nobody there: the ping can fail
    force_stop(c);
    CHECK_FALSE(host_link(host));

    // A missing bridge refuses the start naming the parent; the container stays stopped.
    c.set_device("eth0", {{"type", "nic"}, {"nictype", "bridged"}, {"parent", "nobr-litest"}});
    Error missing = error_of([&] { c.start(); });
    CHECK(missing.code() == ErrorCode::NotFound);
    CHECK(missing.key() == "devices.eth0.parent");
    CHECK(std::string(missing.what()).find("nobr-litest") != std::string::npos);
    CHECK(c.state().status == "Stopped");
    c.remove();
}

TEST_CASE("nic p2p: the host side exists while running, is shaped by tc and removed at stop; default name and hwaddr") {
    std::string host = unique("plt");
    Instance c = launch("nic-p2p1", false);
    c.add_device("net", {{"type", "nic"}, {"nictype", "p2p"}, {"host_name", host}, {"limits.egress", "10Mbit"},
                         {"limits.ingress", "20Mbit"}});
    c.start();
    REQUIRE(host_link(host));
    std::string qdiscs = tc_qdiscs(host);
    CHECK(qdiscs.find("qdisc ingress ffff:") != std::string::npos);  // what the container sends
    CHECK(qdiscs.find("qdisc tbf 1:") != std::string::npos);        // what it receives
    CHECK(qdiscs.find("rate 20Mbit") != std::string::npos);
    // What it sends is redirected through an ifb device shaped at 10Mbit.
    std::string filters = run_checked({"tc", "filter", "show", "dev", host, "parent", "ffff:"}, "tc filter");
    auto at = filters.find("Redirect to device ");
    REQUIRE(at != std::string::npos);
    std::string ifb = filters.substr(at + 19, filters.find(')', at) - at - 19);
    CHECK(tc_qdiscs(ifb).find("rate 10Mbit") != std::string::npos);
    // Unnamed: eth0 inside, with an address of LXD's prefix that stays the same across restarts.
    std::string mac = sh(c, "cat /sys/class/net/eth0/address");
    CHECK(mac.rfind("00:16:3e:", 0) == 0);
    force_stop(c);
    CHECK_FALSE(host_link(host));
    CHECK_FALSE(host_link(ifb));
    c.start();
    CHECK(sh(c, "cat /sys/class/net/eth0/address") == mac);

    // Changing a limit of the running container replaces the shaping.
    c.set_device("net", {{"type", "nic"}, {"nictype", "p2p"}, {"host_name", host}, {"limits.max", "5Mbit"}});
    qdiscs = tc_qdiscs(host);
    CHECK(qdiscs.find("rate 5Mbit") != std::string::npos);
    CHECK(qdiscs.find("rate 20Mbit") == std::string::npos);
    force_stop(c);
    c.remove();
}

// The kernel of the test machines has no dummy links: one end of a veth pair stands in for a
// host interface.
TEST_CASE("nic macvlan and physical on host links; physical returns to the host at stop") {
    HostLink parent(unique("mvlt"), {"type", "veth", "peer", "name", unique("mvlp")});
    HostLink phys(unique("phlt"), {"type", "veth", "peer", "name", unique("phlp")});
    Instance c = launch("nic-mv1", false);
    c.add_device("a-mv", {{"type", "nic"}, {"nictype", "macvlan"}, {"parent", parent.name}, {"name", "mv0"}});
    c.add_device("b-phys", {{"type", "nic"}, {"nictype", "physical"}, {"parent", phys.name}, {"name", "ph0"}, {"mtu", "1300"}});
    c.start();
    CHECK(sh(c, "cat /sys/class/net/mv0/address").rfind("00:16:3e:", 0) == 0);
    CHECK(sh(c, "cat /sys/class/net/ph0/mtu") == "1300\n");
    CHECK_FALSE(host_link(phys.name));  // moved into the container
    force_stop(c);
    CHECK(host_link(phys.name));
    c.remove();
}

TEST_CASE("nic hot-plug: bridged and physical into a running container, and unplug") {
    HostLink bridge(unique("brhp"), {"type", "bridge"});
    HostLink phys(unique("phhp"), {"type", "veth", "peer", "name", unique("phhq")});
    std::string host = unique("vhp");
    Instance c = launch("nic-hp1");
    CHECK(sh_rc(c, "test -e /sys/class/net/eth0") != 0);
    c.add_device("eth0", {{"type", "nic"}, {"nictype", "bridged"}, {"parent", bridge.name}, {"host_name", host},
                          {"hwaddr", "00:16:3e:01:02:03"}, {"limits.egress", "1Mbit"}});
    CHECK(sh(c, "cat /sys/class/net/eth0/address") == "00:16:3e:01:02:03\n");
    CHECK(sh(c, "cat /sys/class/net/eth0/operstate").find("down") == std::string::npos);
    REQUIRE(host_link(host));
    CHECK(fs::read_symlink("/sys/class/net/" + host + "/master").filename() == bridge.name);
    CHECK(tc_qdiscs(host).find("ingress") != std::string::npos);
    // The next unnamed nic gets the next free name.
    c.add_device("eth1", {{"type", "nic"}, {"nictype", "physical"}, {"parent", phys.name}});
    CHECK(sh_rc(c, "test -e /sys/class/net/eth1") == 0);
    CHECK_FALSE(host_link(phys.name));

    c.remove_device("eth0");
    CHECK(sh_rc(c, "test -e /sys/class/net/eth0") != 0);
    CHECK_FALSE(host_link(host));
    c.remove_device("eth1");
    CHECK(sh_rc(c, "test -e /sys/class/net/eth1") != 0);
    CHECK(host_link(phys.name));

    // Hot-plugging onto a missing bridge is refused and stores nothing.
    auto before = c.info().devices;
    Error missing = error_of([&] { c.add_device("eth2", {{"type", "nic"}, {"nictype", "bridged"}, {"parent", "nobr-litest"}}); });
    CHECK(missing.key() == "devices.eth2.parent");
    CHECK(c.info().devices == before);
    force_stop(c);
    c.remove();
}

TEST_CASE("nic: bad keys and values are refused naming the key, changing nothing") {
    Instance c = launch("nic-bad1", false);
    auto before = c.info().devices;
    auto refused = [&](api::ConfigMap device, const std::string& key, ErrorCode code, const std::string& quoted) {
        device["type"] = "nic";
        Error e = error_of([&] { c.add_device("n", device); });
        CHECK(e.code() == code);
        CHECK(e.key() == key);
        CHECK(std::string(e.what()).find(quoted) != std::string::npos);
    };
    refused({{"nictype", "bogus"}}, "devices.n.nictype", ErrorCode::InvalidArgument, "bogus");
    refused({{"nictype", "bridged"}}, "devices.n.parent", ErrorCode::InvalidArgument, "parent");
    refused({{"nictype", "p2p"}, {"mtu", "huge"}}, "devices.n.mtu", ErrorCode::InvalidArgument, "huge");
    refused({{"nictype", "p2p"}, {"hwaddr", "zz:16:3e:00:00:01"}}, "devices.n.hwaddr", ErrorCode::InvalidArgument, "zz:16");
    refused({{"nictype", "p2p"}, {"limits.egress", "fast"}}, "devices.n.limits.egress", ErrorCode::InvalidArgument, "fast");
    refused({{"nictype", "p2p"}, {"name", "a/b"}}, "devices.n.name", ErrorCode::InvalidArgument, "a/b");
    refused({{"nictype", "macvlan"}, {"parent", "eth0"}, {"limits.ingress", "1Mbit"}}, "devices.n.limits.ingress",
            ErrorCode::InvalidArgument, "macvlan");
    refused({{"nictype", "p2p"}, {"vlan", "10"}}, "devices.n.vlan", ErrorCode::InvalidArgument, "vlan");
    refused({{"network", "lxdbr0"}, {"nictype", "bridged"}}, "devices.n.nictype", ErrorCode::InvalidArgument, "network");
    refused({{"network", "lxdbr0"}, {"parent", "br0"}}, "devices.n.parent", ErrorCode::InvalidArgument, "network");
    CHECK(c.info().devices == before);
    c.remove();
}
