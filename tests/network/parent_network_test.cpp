// macvlan and physical networks (LXD's): a network that names a host interface as its parent;
// instances' nics on it are macvlans of the parent, or the parent itself moved in. The test
// machines' kernels have no dummy links, so one end of a veth pair stands in for a host NIC.
#include <doctest.h>
#include <filesystem>

#include "network_services/netns_support.hpp"
#include "network_support.hpp"
#include "sys/fs.hpp"

using namespace li;
using namespace li::test;

namespace {

// A veth pair in the test's namespace, deleted at the end; `name` plays the host's NIC.
struct FakeNic {
    std::string name;
    explicit FakeNic(std::string n) : name(std::move(n)) {
        // Both ends up: a parent without carrier would leave its macvlans without one too.
        sh_ok("ip link add " + name + " type veth peer name " + name + "p && ip link set " + name + " up && ip link set " + name + "p up");
    }
    ~FakeNic() { li::test::sh("ip link delete " + name + " 2>/dev/null"); }
};

api::Network create_network(const std::string& name, const std::string& type, std::map<std::string, std::string> config) {
    api::NetworksPost post;
    post.name = name;
    post.type = type;
    post.config = std::move(config);
    return networks().create("default", post);
}

Instance launch_on(const std::string& name, const std::string& network, bool start = true) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.devices = {{"eth0", {{"type", "nic"}, {"network", network}, {"name", "eth0"}}}};
    post.start = start;
    return shared().mgr->instances().create("default", post);
}

// `ip -d link show IFACE` in the instance's network namespace, by the host's ip (busybox's
// shows no link kind).
std::string inside_link(Instance& c, const std::string& iface) {
    return sh_ok("nsenter --net=/proc/" + std::to_string(c.state().pid) + "/ns/net ip -d link show " + iface);
}

// The config errors both types share.
void check_config_errors(const std::string& type, const std::string& parent) {
    Error missing = error_of([&] { create_network("tpbad0", type, {{"parent", "lnosuch0"}}); });
    CHECK(missing.code() == ErrorCode::NotFound);
    CHECK(missing.key() == "config.parent");
    CHECK(std::string(missing.what()).find("lnosuch0") != std::string::npos);
    Error none = error_of([&] { create_network("tpbad0", type, {}); });
    CHECK(none.code() == ErrorCode::InvalidArgument);
    CHECK(none.key() == "config.parent");
    Error unknown = error_of([&] { create_network("tpbad0", type, {{"parent", parent}, {"ipv4.address", "10.0.0.1/24"}}); });
    CHECK(unknown.key() == "config.ipv4.address");
    Error mtu = error_of([&] { create_network("tpbad0", type, {{"parent", parent}, {"mtu", "12"}}); });
    CHECK(mtu.key() == "config.mtu");
    Error vlan = error_of([&] { create_network("tpbad0", type, {{"parent", parent}, {"vlan", "5000"}}); });
    CHECK(vlan.key() == "config.vlan");
    CHECK_FALSE(record_exists("tpbad0"));
}

}  // namespace

TEST_CASE("a macvlan network: nics are macvlans of its parent; in use it cannot go; bad config named") {
    FakeNic parent("lmv0");
    check_config_errors("macvlan", parent.name);

    auto n = create_network("tmv0", "macvlan", {{"parent", parent.name}, {"mtu", "1400"}, {"user.note", "x"}});
    CHECK(n.managed);
    CHECK(n.type == "macvlan");
    CHECK(n.status == "Created");
    CHECK_FALSE(link_exists("tmv0"));  // nothing of its own on the host
    auto st = networks().state("default", "tmv0");
    CHECK(st.hwaddr == netlink::find_link(parent.name)->hwaddr);
    CHECK(st.state == "up");
    CHECK(networks().leases("default", "tmv0").empty());

    Instance a = launch_on("pn-mv1", "tmv0");
    Instance b = launch_on("pn-mv2", "tmv0");  // any number share the parent
    std::string link = inside_link(a, "eth0");
    CHECK(link.find("macvlan mode bridge") != std::string::npos);
    CHECK(link.find("mtu 1400") != std::string::npos);
    CHECK(inside_link(b, "eth0").find("macvlan") != std::string::npos);
    CHECK(networks().get("default", "tmv0").used_by ==
          std::vector<std::string>{"/1.0/instances/pn-mv1", "/1.0/instances/pn-mv2"});
    // Two macvlans of one parent in bridge mode reach each other.
    CHECK(sh_rc(a, "ip addr add 10.201.0.1/24 dev eth0 && ip link set eth0 up") == 0);
    CHECK(sh_rc(b, "ip addr add 10.201.0.2/24 dev eth0 && ip link set eth0 up") == 0);
    CHECK(sh_rc(a, "ping -c 1 -W 5 10.201.0.2") == 0);

    Error busy = error_of([] { networks().remove("default", "tmv0"); });
    CHECK(busy.code() == ErrorCode::Busy);
    CHECK(std::string(busy.what()).find("pn-mv1") != std::string::npos);

    force_stop(a);
    force_stop(b);
    a.remove();
    b.remove();
    networks().remove("default", "tmv0");
    CHECK_FALSE(record_exists("tmv0"));
    CHECK(link_exists(parent.name));  // the parent is the host's, never removed
}

TEST_CASE("a physical network: its parent moves into one instance at a time and comes back at stop") {
    FakeNic parent("lph0");
    check_config_errors("physical", parent.name);
    std::string mac = netlink::find_link(parent.name)->hwaddr;

    auto n = create_network("tph0", "physical", {{"parent", parent.name}, {"mtu", "1300"}});
    CHECK(n.type == "physical");
    CHECK(networks().state("default", "tph0").hwaddr == mac);
    CHECK(networks().leases("default", "tph0").empty());

    Instance a = launch_on("pn-ph1", "tph0");
    CHECK_FALSE(link_exists(parent.name));  // moved in
    CHECK(sh(a, "cat /sys/class/net/eth0/address") == mac + "\n");
    CHECK(sh(a, "cat /sys/class/net/eth0/mtu") == "1300\n");
    // The network's state is its parent's, which is not on the host now.
    CHECK(error_of([] { networks().state("default", "tph0"); }).key() == "config.parent");

    // Its config can change while the parent is away (an unchanged parent is not looked for).
    api::NetworkPut put;
    put.config = networks().get("default", "tph0").config;
    put.config["user.note"] = "in use";
    networks().update("default", "tph0", put);
    CHECK(networks().get("default", "tph0").config.at("user.note") == "in use");
    put.config["parent"] = "lnosuch0";
    CHECK(error_of([&] { networks().update("default", "tph0", put); }).key() == "config.parent");

    // A second instance cannot have it while the first does.
    Instance b = launch_on("pn-ph2", "tph0", false);
    Error taken = error_of([&] { b.start(); });
    CHECK((taken.code() == ErrorCode::NotFound || taken.code() == ErrorCode::Conflict));
    CHECK(b.state().status == "Stopped");
    CHECK(sh(a, "cat /sys/class/net/eth0/address") == mac + "\n");

    Error busy = error_of([] { networks().remove("default", "tph0"); });
    CHECK(busy.code() == ErrorCode::Busy);

    force_stop(a);
    CHECK(eventually([&] { return link_exists(parent.name); }));  // back on the host, under its name
    CHECK_FALSE(std::filesystem::exists(shared().dir.path() / "networks" / "tph0" / "nic-user"));  // released

    // Another instance recorded as holding an interface that is not on the host: refused, naming
    // the nic's network key and the holder.
    std::filesystem::create_directories(shared().dir.path() / "networks" / "tph0");
    write_file_atomic(shared().dir.path() / "networks" / "tph0" / "nic-user", "default/ghost/eth0 999999\n");
    Error held = error_of([&] { b.start(); });
    CHECK(held.code() == ErrorCode::Conflict);
    CHECK(held.key() == "devices.eth0.network");
    CHECK(std::string(held.what()).find("default/ghost/eth0") != std::string::npos);
    CHECK(link_exists(parent.name));
    // A record whose interface is back on the host is stale (its holder went without a stop).
    write_file_atomic(shared().dir.path() / "networks" / "tph0" / "nic-user",
                      "default/ghost/eth0 " + std::to_string(netlink::find_link(parent.name)->index) + "\n");
    b.start();  // free again
    CHECK_FALSE(link_exists(parent.name));
    force_stop(b);
    CHECK(eventually([&] { return link_exists(parent.name); }));
    a.remove();
    b.remove();
    networks().remove("default", "tph0");
    CHECK(link_exists(parent.name));
}
