#include "instance/drivers/lxc/devices/host_net.hpp"

#include "network/netlink.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"

namespace li::host_net {

namespace fs = std::filesystem;

namespace {
void ip(std::vector<std::string> args, std::string_view what) {
    args.insert(args.begin(), "ip");
    run_checked(args, what);
}

// Runs `ip` in the network namespace of pid; nsenter keeps this process's mount namespace, so
// the host's iproute2 and /proc are used.
void ip_in(pid_t pid, std::vector<std::string> args, std::string_view what) {
    args.insert(args.begin(), {"nsenter", fmt::format("--net=/proc/{}/ns/net", pid), "ip"});
    run_checked(args, what);
}

void tc(std::vector<std::string> args, std::string_view what) {
    args.insert(args.begin(), "tc");
    run_checked(args, what);
}
}  // namespace

// Through rtnetlink, not /sys/class/net: sysfs shows the network namespace it was mounted in,
// which is not ours under `nsenter --net` (a state directory driven from another namespace).
bool link_exists(const std::string& name) {
    return !name.empty() && name.find('/') == std::string::npos && netlink::find_link(name).has_value();
}

bool is_bridge(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) return false;
    auto link = netlink::find_link(name);
    return link && link->kind == "bridge";
}

std::optional<int> ifindex(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    auto link = netlink::find_link(name);
    return link ? std::optional<int>(link->index) : std::nullopt;
}

std::optional<std::string> name_of_ifindex(int index) {
    for (const auto& link : netlink::links())
        if (link.index == index) return link.name;
    return std::nullopt;
}

void add_veth(const std::string& host, const std::string& peer) {
    ip({"link", "add", "dev", host, "type", "veth", "peer", "name", peer}, "creating veth " + host);
}

void add_macvlan(const std::string& name, const std::string& parent) {
    ip({"link", "add", "dev", name, "link", parent, "type", "macvlan", "mode", "bridge"}, "creating macvlan on " + parent);
}

void delete_link(const std::string& name) {
    if (!link_exists(name)) return;
    ip({"link", "delete", "dev", name}, "deleting " + name);
}

void attach_to_bridge(const std::string& name, const std::string& bridge) {
    if (!bridge.empty()) ip({"link", "set", "dev", name, "master", bridge}, "adding " + name + " to bridge " + bridge);
    set_up(name);
}

void set_up(const std::string& name) { ip({"link", "set", "dev", name, "up"}, "bringing up " + name); }

void set_mtu(const std::string& name, const std::string& mtu) {
    ip({"link", "set", "dev", name, "mtu", mtu}, "setting the MTU of " + name);
}

void rename(const std::string& from, const std::string& to) {
    ip({"link", "set", "dev", from, "name", to}, "renaming " + from + " to " + to);
}

void move_into(const std::string& name, pid_t pid, const InsideSetup& setup) {
    ip({"link", "set", "dev", name, "down"}, "taking down " + name);
    ip({"link", "set", "dev", name, "netns", std::to_string(pid)}, "moving " + name + " into the container");
    std::vector<std::string> args{"link", "set", "dev", name, "name", setup.name};
    if (!setup.hwaddr.empty()) args.insert(args.end(), {"address", setup.hwaddr});
    if (!setup.mtu.empty()) args.insert(args.end(), {"mtu", setup.mtu});
    ip_in(pid, args, "setting up " + setup.name + " in the container");
    ip_in(pid, {"link", "set", "dev", setup.name, "up"}, "bringing up " + setup.name + " in the container");
}

void move_out(const std::string& inside_name, pid_t pid, const std::string& back_name) {
    ip_in(pid, {"link", "set", "dev", inside_name, "down"}, "taking down " + inside_name + " in the container");
    // The namespace the interface returns to is this process's, named by our own pid.
    ip_in(pid, {"link", "set", "dev", inside_name, "name", back_name, "netns", std::to_string(::getpid())},
          "moving " + inside_name + " out of the container");
}

void delete_inside(const std::string& name, pid_t pid) {
    std::error_code ec;
    if (!fs::exists(fmt::format("/proc/{}/ns/net", pid), ec)) return;
    try {
        ip_in(pid, {"link", "show", "dev", name}, "looking up " + name);
    } catch (const Error&) {
        return;  // already gone
    }
    ip_in(pid, {"link", "delete", "dev", name}, "deleting " + name + " in the container");
}

std::string tc_rate(const std::string& lxd_rate) {
    // tc reads a bare number as bytes per second; LXD means bits.
    static const std::pair<std::string_view, uint64_t> units[] = {
        {"Tbit", 1000ULL * 1000 * 1000 * 1000}, {"Gbit", 1000ULL * 1000 * 1000}, {"Mbit", 1000ULL * 1000}, {"kbit", 1000}, {"bit", 1}};
    uint64_t factor = 1;
    std::string number = lxd_rate;
    for (const auto& [suffix, f] : units) {
        if (lxd_rate.size() > suffix.size() && lxd_rate.compare(lxd_rate.size() - suffix.size(), suffix.size(), suffix) == 0) {
            number = lxd_rate.substr(0, lxd_rate.size() - suffix.size());
            factor = f;
            break;
        }
    }
    return fmt::format("{}bit", std::stoull(number) * factor);
}

namespace {
// A token bucket of at least 10 ms of traffic, and never less than a jumbo frame.
std::vector<std::string> tbf_args(const std::string& lxd_rate) {
    std::string rate = tc_rate(lxd_rate);
    uint64_t burst = std::max<uint64_t>(std::stoull(rate) / 8 / 100, 65536);
    return {"tbf", "rate", rate, "burst", std::to_string(burst), "latency", "50ms"};
}
}  // namespace

void set_rate_limits(const std::string& host_side, const std::string& ifb, const std::string& to_container,
                     const std::string& from_container) {
    // Start from no shaping, so a changed or removed limit never stacks on an old one.
    for (const char* parent : {"root", "ingress"}) {
        try {
            tc({"qdisc", "del", "dev", host_side, parent}, "clearing traffic control");
        } catch (const Error&) {
            // none was set
        }
    }
    delete_link(ifb);
    if (!to_container.empty()) {
        // What the host side sends is what the container receives.
        std::vector<std::string> args{"qdisc", "add", "dev", host_side, "root", "handle", "1:"};
        for (auto& a : tbf_args(to_container)) args.push_back(a);
        tc(args, "limiting the traffic to " + host_side);
    }
    if (!from_container.empty()) {
        ip({"link", "add", "dev", ifb, "type", "ifb"}, "creating " + ifb);
        set_up(ifb);
        std::vector<std::string> args{"qdisc", "add", "dev", ifb, "root", "handle", "1:"};
        for (auto& a : tbf_args(from_container)) args.push_back(a);
        tc(args, "limiting the traffic from " + host_side);
        tc({"qdisc", "add", "dev", host_side, "handle", "ffff:", "ingress"}, "adding an ingress qdisc to " + host_side);
        // A classic BPF program that accepts every packet ("ret -1") sends all of it to the ifb.
        tc({"filter", "add", "dev", host_side, "parent", "ffff:", "protocol", "all", "bpf", "bytecode", "1,6 0 0 4294967295,",
            "action", "mirred", "egress", "redirect", "dev", ifb},
           "redirecting the traffic from " + host_side);
    }
}

}  // namespace li::host_net
