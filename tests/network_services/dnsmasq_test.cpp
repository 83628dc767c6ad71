// dnsmasq on a real bridge: a busybox udhcpc in a child namespace gets a lease (named after the
// instance), a reservation gives its address, names resolve in dns.domain, the supervisor starts
// a killed dnsmasq again, and stop leaves no process.
#include <doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>

#include "libinstance/error.hpp"
#include "network/dnsmasq.hpp"
#include "network_services/netns_support.hpp"
#include "support/temp_state.hpp"

using namespace li;
using namespace li::net;
using li::test::ChildNetns;
using li::test::eventually;
using li::test::sh;
using li::test::sh_ok;

namespace fs = std::filesystem;

namespace {

// Applies the lease to the interface (udhcpc only reports it to its script).
const char* kUdhcpcScript = R"(#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi
    ;;
esac
exit 0
)";

// A veth whose bridge end is on `bridge` and whose other end, with `mac`, is `name` in `ns`.
void plug(const ChildNetns& ns, const std::string& bridge, const std::string& host, const std::string& name,
          const std::string& mac) {
    sh_ok("ip link add " + host + " type veth peer name " + name);
    sh_ok("ip link set " + host + " master " + bridge + " up");
    ns.take(name);
    sh_ok(ns.in("ip link set " + name + " address " + mac + " && ip link set " + name + " up"));
}

std::string udhcpc(const ChildNetns& ns, const std::string& iface, const fs::path& script) {
    return sh_ok(ns.in("busybox udhcpc -i " + iface + " -n -q -f -t 10 -T 1 -s " + script.string()));
}

// Every process whose command line mentions the path (our dnsmasq runs carry the state dir).
int processes_mentioning(const std::string& text) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find("dnsmasq") != std::string::npos && cmdline.find(text) != std::string::npos) n++;
    }
    return n;
}

}  // namespace

TEST_CASE("dnsmasq: DHCP leases, reservations, DNS, restart after a crash, stop") {
    test::TempDir tmp;
    ::chmod(tmp.path().c_str(), 0711);  // dnsmasq runs as nobody
    fs::path script = tmp.path() / "udhcpc.sh";
    {
        std::ofstream(script) << kUdhcpcScript;
    }
    ::chmod(script.c_str(), 0755);

    sh_ok("ip link add dbr0 type bridge && ip addr add 10.77.0.1/24 dev dbr0 && ip link set dbr0 up");
    ChildNetns client;
    plug(client, "dbr0", "dv0", "eth0", "00:16:3e:aa:00:01");
    plug(client, "dbr0", "dv1", "eth1", "00:16:3e:aa:00:02");

    DnsmasqConfig config;
    config.network = "dbr0";
    config.bridge = "dbr0";
    config.dir = tmp.path() / "networks" / "dbr0";
    config.ipv4_address = "10.77.0.1/24";
    config.ipv4_dhcp_ranges = "10.77.0.100-10.77.0.150";
    config.dns_domain = "inst";

    DnsmasqSupervisor supervisor;
    supervisor.start(config);
    REQUIRE(supervisor.running("dbr0"));
    pid_t first = supervisor.pid("dbr0");
    CHECK(fs::is_directory(config.dir / "dnsmasq.hosts"));
    CHECK(fs::exists(config.dir / "dnsmasq.raw"));

    // c1's NIC: a name but no reserved address (dns.mode=managed); c2's: a reservation.
    auto hosts = config.dir / "dnsmasq.hosts";
    set_static_host(hosts, {"c1", "eth0", "00:16:3e:aa:00:01", "", "", true});
    set_static_host(hosts, {"c2", "eth0", "00:16:3e:aa:00:02", "10.77.0.42", "", true});
    supervisor.reload("dbr0");

    std::string out1 = udhcpc(client, "eth0", script);
    INFO(out1);
    std::string addr1 = sh_ok(client.in("ip -4 -o addr show dev eth0"));
    CHECK(addr1.find("10.77.0.1") != std::string::npos);  // within 10.77.0.100-150
    udhcpc(client, "eth1", script);
    CHECK(sh_ok(client.in("ip -4 -o addr show dev eth1")).find("10.77.0.42/24") != std::string::npos);

    auto leases = read_leases(config.dir);
    const api::NetworkLease* dynamic = nullptr;
    const api::NetworkLease* reserved = nullptr;
    for (const auto& l : leases) {
        if (l.hwaddr == "00:16:3e:aa:00:01") dynamic = &l;
        if (l.hwaddr == "00:16:3e:aa:00:02" && l.type == "static") reserved = &l;
    }
    REQUIRE(dynamic != nullptr);
    CHECK(dynamic->hostname == "c1");
    CHECK(dynamic->type == "dynamic");
    CHECK(dynamic->address.starts_with("10.77.0.1"));
    CHECK(addr1.find(dynamic->address + "/24") != std::string::npos);
    REQUIRE(reserved != nullptr);
    CHECK(reserved->hostname == "c2");
    CHECK(reserved->address == "10.77.0.42");

    // DNS: instance names in dns.domain, from the bridge address.
    std::string c1 = sh_ok(client.in("busybox nslookup c1.inst 10.77.0.1"));
    CHECK(c1.find(dynamic->address) != std::string::npos);
    CHECK(sh_ok(client.in("busybox nslookup c2.inst 10.77.0.1")).find("10.77.0.42") != std::string::npos);

    // A crashed dnsmasq is started again (after the first one-second backoff), with the leases.
    ::kill(first, SIGKILL);
    REQUIRE(eventually([&] { return supervisor.pid("dbr0") > 0 && supervisor.pid("dbr0") != first; }, 5000));
    CHECK(supervisor.restarts("dbr0") == 1);
    CHECK(eventually([&] { return sh(client.in("busybox nslookup c1.inst 10.77.0.1")).output.find(dynamic->address) !=
                                  std::string::npos; }));

    // Stop: no dnsmasq of this network is left, and it is not started again.
    pid_t second = supervisor.pid("dbr0");
    supervisor.stop("dbr0");
    CHECK_FALSE(supervisor.running("dbr0"));
    CHECK(::kill(second, 0) != 0);
    CHECK(processes_mentioning(config.dir.string()) == 0);
    CHECK_FALSE(fs::exists(config.dir / "dnsmasq.pid"));
    ::usleep(1500 * 1000);
    CHECK(processes_mentioning(config.dir.string()) == 0);
    supervisor.stop("dbr0");  // idempotent

    sh_ok("ip link del dbr0");
}

TEST_CASE("dnsmasq: a config dnsmasq refuses is a Backend error with its message, and nothing runs") {
    test::TempDir tmp;
    ::chmod(tmp.path().c_str(), 0711);
    sh_ok("ip link add dbr1 type bridge && ip addr add 10.79.0.1/24 dev dbr1 && ip link set dbr1 up");
    DnsmasqConfig config;
    config.network = "dbr1";
    config.bridge = "dbr1";
    config.dir = tmp.path() / "networks" / "dbr1";
    config.ipv4_address = "10.79.0.1/24";
    config.raw = "no-such-option=1";
    DnsmasqSupervisor supervisor;
    try {
        supervisor.start(config);
        FAIL("started");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Backend);
        INFO(e.what());
        CHECK(std::string(e.what()).find("dnsmasq.raw") != std::string::npos);
    }
    CHECK_FALSE(supervisor.running("dbr1"));
    CHECK(processes_mentioning(config.dir.string()) == 0);

    // A good config afterwards starts; destroying the supervisor stops it.
    config.raw.clear();
    config.dns_mode = "none";
    {
        DnsmasqSupervisor second;
        second.start(config);
        CHECK(second.running("dbr1"));
        CHECK(processes_mentioning(config.dir.string()) == 1);
    }
    CHECK(eventually([&] { return processes_mentioning(config.dir.string()) == 0; }, 2000));
    sh_ok("ip link del dbr1");
}

TEST_CASE("dnsmasq: a leftover with the same config is adopted and supervised, one with another config replaced; detach lets go") {
    test::TempDir tmp;
    ::chmod(tmp.path().c_str(), 0711);
    sh_ok("ip link add dbr2 type bridge && ip addr add 10.80.0.1/24 dev dbr2 && ip link set dbr2 up");
    DnsmasqConfig config;
    config.network = "dbr2";
    config.bridge = "dbr2";
    config.dir = tmp.path() / "networks" / "dbr2";
    config.ipv4_address = "10.80.0.1/24";

    // What an owner that vanished without stopping its dnsmasq leaves: the process and its record.
    fs::create_directories(config.dir / "dnsmasq.hosts");
    std::ofstream(config.dir / "dnsmasq.raw") << "\n";
    std::string command = "dnsmasq";
    for (const auto& a : dnsmasq_args(config)) command += " '" + a + "'";
    std::string pid_text = sh_ok("(" + command + " >/dev/null 2>&1 & echo $!)");
    pid_t leftover = static_cast<pid_t>(std::stol(pid_text));
    REQUIRE(eventually([&] { return processes_mentioning(config.dir.string()) == 1; }));
    std::ofstream(config.dir / "dnsmasq.pid") << leftover << "\n";

    {
        DnsmasqSupervisor supervisor;
        supervisor.start(config);
        CHECK(supervisor.pid("dbr2") == leftover);  // the very config: adopted
        // Adopted means supervised: when it dies, a new one of ours takes over.
        ::kill(leftover, SIGKILL);
        CHECK(eventually([&] { return supervisor.running("dbr2") && supervisor.pid("dbr2") != leftover; }, 8000));
        CHECK(processes_mentioning(config.dir.string()) == 1);
        // detach(): it runs on without us, and stays recorded for the next owner.
        pid_t ours = supervisor.pid("dbr2");
        supervisor.detach("dbr2");
        CHECK(supervisor.pid("dbr2") == 0);
        leftover = ours;
    }
    CHECK(::kill(leftover, 0) == 0);  // the supervisor's end did not take it along
    {
        DnsmasqSupervisor supervisor;
        config.ipv4_dhcp_ranges = "10.80.0.100-10.80.0.150";  // another config: replaced
        supervisor.start(config);  // would fail to bind if the leftover still ran
        CHECK(supervisor.running("dbr2"));
        CHECK(supervisor.pid("dbr2") != leftover);
        CHECK(processes_mentioning(config.dir.string()) == 1);
        supervisor.stop("dbr2");
        CHECK(processes_mentioning(config.dir.string()) == 0);
    }
    sh_ok("ip link del dbr2");
}

TEST_CASE("dnsmasq: dual stack with stateful DHCPv6, ranges and no DNS starts and stays up") {
    test::TempDir tmp;
    ::chmod(tmp.path().c_str(), 0711);
    sh_ok("ip link add dbr3 type bridge && ip addr add 10.81.0.1/24 dev dbr3 && "
          "ip addr add fd42:81::1/64 dev dbr3 nodad && ip link set dbr3 up");
    auto config = dnsmasq_config_from("dbr3", "dbr3", tmp.path() / "networks" / "dbr3",
                                      {{"ipv4.address", "10.81.0.1/24"},
                                       {"ipv4.dhcp.ranges", "10.81.0.10-10.81.0.19,10.81.0.30-10.81.0.39"},
                                       {"ipv4.dhcp.expiry", "30m"},
                                       {"ipv6.address", "fd42:81::1/64"},
                                       {"ipv6.dhcp.stateful", "true"},
                                       {"ipv6.dhcp.ranges", "fd42:81::100-fd42:81::1ff"},
                                       {"dns.mode", "none"},
                                       {"bridge.mtu", "1400"},
                                       {"raw.dnsmasq", "log-facility=-"}});
    DnsmasqSupervisor supervisor;
    supervisor.start(config);
    ::usleep(300 * 1000);
    CHECK(supervisor.running("dbr3"));
    CHECK(supervisor.restarts("dbr3") == 0);
    supervisor.stop("dbr3");
    sh_ok("ip link del dbr3");
}

TEST_CASE("dnsmasq: dies with the process that runs its supervisor, even one that never stops it") {
    test::TempDir tmp;
    ::chmod(tmp.path().c_str(), 0711);
    sh_ok("ip link add dbr4 type bridge && ip addr add 10.82.0.1/24 dev dbr4 && ip link set dbr4 up");
    DnsmasqConfig config;
    config.network = "dbr4";
    config.bridge = "dbr4";
    config.dir = tmp.path() / "networks" / "dbr4";
    config.ipv4_address = "10.82.0.1/24";
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t owner = ::fork();
    REQUIRE(owner >= 0);
    if (owner == 0) {
        // A crashing owner: no destructor runs.
        ::close(fds[0]);
        pid_t pid = 0;
        try {
            auto* supervisor = new DnsmasqSupervisor();
            supervisor->start(config);
            pid = supervisor->pid("dbr4");
        } catch (...) {
        }
        (void)!::write(fds[1], &pid, sizeof pid);
        ::_exit(0);
    }
    ::close(fds[1]);
    pid_t dnsmasq = 0;
    REQUIRE(::read(fds[0], &dnsmasq, sizeof dnsmasq) == sizeof dnsmasq);
    ::close(fds[0]);
    ::waitpid(owner, nullptr, 0);
    REQUIRE(dnsmasq > 0);
    CHECK(eventually([&] { return processes_mentioning(config.dir.string()) == 0; }, 3000));
    sh_ok("ip link del dbr4");
}
