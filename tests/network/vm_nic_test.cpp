// A real VM (TCG where KVM is unusable) with `nic network=NAME`: a tap on the network's bridge,
// an address from the network's DHCP server, reported in the VM's state with the tap's counters.
#include <doctest.h>
#include <chrono>
#include <thread>

#include "integration/vm_support.hpp"
#include "network_support.hpp"

using namespace li;
using namespace li::test;

TEST_CASE("a VM's nic network=NAME is a tap on the bridge; the DHCP lease shows in its state") {
    create_bridge("tvm0", {{"ipv4.address", "10.126.9.1/24"}, {"ipv6.address", "none"}});
    api::InstancesPost post = vm_post("net-vm1", true);
    post.devices = {{"eth0", {{"type", "nic"}, {"network", "tvm0"}, {"name", "eth0"}}}};
    Instance vm = shared().mgr->instances().create("default", post);

    auto bridge = networks().state("default", "tvm0");
    REQUIRE(bridge.has_bridge);
    REQUIRE(bridge.bridge.upper_devices.size() == 1);
    CHECK(bridge.bridge.upper_devices[0].rfind("tap", 0) == 0);
    CHECK(networks().get("default", "tvm0").used_by == std::vector<std::string>{"/1.0/instances/net-vm1"});

    // The guest's init asks for an address at boot; the state reports it once given.
    CHECK(sh_rc(vm, "ping -c 1 -W 5 10.126.9.1") == 0);
    std::string address;
    for (int i = 0; i < 100 && address.empty(); ++i) {
        auto st = vm.state();
        if (st.network.count("eth0") && !st.network.at("eth0").addresses.empty()) address = st.network.at("eth0").addresses[0].address;
        else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(address.rfind("10.126.9.", 0) == 0);
    CHECK(sh(vm, "ip -4 -o addr show eth0").find(address + "/24") != std::string::npos);
    api::InstanceState st = vm.state();
    CHECK(st.network.at("eth0").host_name == bridge.bridge.upper_devices[0]);
    CHECK(st.network.at("eth0").counters.packets_sent > 0);
    CHECK(st.network.at("eth0").counters.packets_received > 0);

    force_stop(vm);
    CHECK(networks().state("default", "tvm0").bridge.upper_devices.empty());
    vm.remove();
    networks().remove("default", "tvm0");
}
