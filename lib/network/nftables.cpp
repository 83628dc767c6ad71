#include "network/nftables.hpp"

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <fmt/format.h>
#include <optional>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li::net {

namespace {

// nft identifiers take letters, digits, '_', '-', '.' unquoted (nft 1.0.6 accepts no quoted
// table names); network and interface names stay within that.
std::string checked_name(const std::string& name, const std::string& key) {
    if (name.empty() || name.size() > 64)
        throw Error::invalid(key, fmt::format("invalid name \"{}\" for an nftables table", name));
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            throw Error::invalid(key, fmt::format("invalid name \"{}\" for an nftables table", name));
    return name;
}

// The subnet of "ADDRESS/PREFIX" ("10.1.2.1/24" -> "10.1.2.0/24"), family-checked.
std::string subnet_of(const std::string& cidr, int family, const std::string& key) {
    auto fail = [&] {
        return Error::invalid(key, fmt::format("invalid IPv{} subnet \"{}\": expected ADDRESS/PREFIX", family, cidr));
    };
    auto slash = cidr.find('/');
    if (slash == std::string::npos) throw fail();
    std::string addr = cidr.substr(0, slash);
    std::string len = cidr.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
    int bits = family == 4 ? 32 : 128;
    if (len.empty() || ec != std::errc() || end != len.data() + len.size() || prefix < 0 || prefix > bits) throw fail();
    std::array<unsigned char, 16> b{};
    int af = family == 4 ? AF_INET : AF_INET6;
    if (::inet_pton(af, addr.c_str(), b.data()) != 1) throw fail();
    for (int i = 0; i < bits / 8; i++) {
        int keep = prefix - i * 8;
        unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : static_cast<unsigned char>(0xff << (8 - keep));
        b[i] &= mask;
    }
    char out[INET6_ADDRSTRLEN];
    ::inet_ntop(af, b.data(), out, sizeof out);
    return fmt::format("{}/{}", out, prefix);
}

std::string set_of(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return "{ " + out + " }";
}

}  // namespace

std::string network_table_name(const std::string& network) {
    return "libinstance_" + checked_name(network, "name");
}

std::string nic_table_name(const std::string& host_name) {
    return "libinstance_nic_" + checked_name(host_name, "host_name");
}

std::string render_remove_table(const std::string& family, const std::string& table) {
    // Adding first makes the delete succeed whether or not the table existed (nft 1.0.6 has no
    // "destroy"); both happen in one transaction.
    return fmt::format("add table {0} {1}\ndelete table {0} {1}\n", family, table);
}

std::string render_network_ruleset(const NetworkFirewall& f) {
    std::string table = network_table_name(f.network);
    std::string br = fmt::format("\"{}\"", checked_name(f.bridge, "bridge"));
    std::string v4 = f.ipv4_subnet.empty() ? "" : subnet_of(f.ipv4_subnet, 4, "config.ipv4.address");
    std::string v6 = f.ipv6_subnet.empty() ? "" : subnet_of(f.ipv6_subnet, 6, "config.ipv6.address");

    std::string out = render_remove_table("inet", table);
    out += fmt::format("table inet {} {{\n", table);

    std::vector<std::string> nat;
    if (f.ipv4_nat && !v4.empty())
        nat.push_back(fmt::format("ip saddr {0} ip daddr != {0} {1}", v4,
                                  f.ipv4_nat_address.empty() ? "masquerade" : "snat ip to " + f.ipv4_nat_address));
    if (f.ipv6_nat && !v6.empty())
        nat.push_back(fmt::format("ip6 saddr {0} ip6 daddr != {0} {1}", v6,
                                  f.ipv6_nat_address.empty() ? "masquerade" : "snat ip6 to " + f.ipv6_nat_address));
    if (!nat.empty()) {
        out += fmt::format("\tchain pstrt.{} {{\n", f.bridge);
        out += "\t\ttype nat hook postrouting priority srcnat; policy accept;\n";
        for (const auto& r : nat) out += "\t\t" + r + "\n";
        out += "\t}\n";
    }

    if (f.accept_services) {
        out += fmt::format("\tchain fwd.{} {{\n", f.bridge);
        out += "\t\ttype filter hook forward priority filter; policy accept;\n";
        out += fmt::format("\t\tiifname {} accept\n\t\toifname {} accept\n\t}}\n", br, br);
        out += fmt::format("\tchain in.{} {{\n", f.bridge);
        out += "\t\ttype filter hook input priority filter; policy accept;\n";
        out += fmt::format("\t\tiifname {} tcp dport 53 accept\n", br);
        out += fmt::format("\t\tiifname {} udp dport {{ 53, 67, 547 }} accept\n", br);
        out += fmt::format("\t\tiifname {} icmp type {{ destination-unreachable, time-exceeded, parameter-problem, echo-request }} accept\n", br);
        out += fmt::format("\t\tiifname {} icmpv6 type {{ destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
                           "echo-request, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report }} accept\n", br);
        out += "\t}\n";
        out += fmt::format("\tchain out.{} {{\n", f.bridge);
        out += "\t\ttype filter hook output priority filter; policy accept;\n";
        out += fmt::format("\t\toifname {} udp sport {{ 67, 547 }} accept\n", br);
        out += fmt::format("\t\toifname {} icmp type {{ destination-unreachable, time-exceeded, parameter-problem }} accept\n", br);
        out += fmt::format("\t\toifname {} icmpv6 type {{ destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
                           "echo-request, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report }} accept\n", br);
        out += "\t}\n";
    }
    out += "}\n";
    return out;
}

std::string render_nic_filter(const NicFilter& f) {
    if (!f.mac_filtering && !f.ipv4_filtering && !f.ipv6_filtering) return {};
    std::string table = nic_table_name(f.host_name);
    std::string dev = fmt::format("iifname \"{}\"", checked_name(f.host_name, "host_name"));
    std::vector<std::string> rules;
    if (f.mac_filtering) {
        if (f.hwaddr.empty()) throw Error::invalid("hwaddr", "MAC filtering needs the NIC's MAC address");
        rules.push_back(fmt::format("{} ether saddr != {} drop", dev, f.hwaddr));
        rules.push_back(fmt::format("{} ether type arp arp saddr ether != {} drop", dev, f.hwaddr));
    }
    if (f.ipv4_filtering) {
        // A DHCP request comes from 0.0.0.0 before the instance has its address.
        rules.push_back(fmt::format("{} ether type ip ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp dport 67 accept", dev));
        if (f.ipv4_addresses.empty()) {
            rules.push_back(fmt::format("{} ether type arp drop", dev));
            rules.push_back(fmt::format("{} ether type ip drop", dev));
        } else {
            rules.push_back(fmt::format("{} ether type arp arp saddr ip != {} drop", dev, set_of(f.ipv4_addresses)));
            rules.push_back(fmt::format("{} ether type ip ip saddr != {} drop", dev, set_of(f.ipv4_addresses)));
        }
    }
    if (f.ipv6_filtering) {
        // Instances must not act as routers on the bridge.
        rules.push_back(fmt::format("{} ether type ip6 icmpv6 type nd-router-advert drop", dev));
        std::vector<std::string> allowed{"::", "fe80::/10"};  // duplicate address detection, link-local
        allowed.insert(allowed.end(), f.ipv6_addresses.begin(), f.ipv6_addresses.end());
        rules.push_back(fmt::format("{} ether type ip6 ip6 saddr != {} drop", dev, set_of(allowed)));
    }

    std::string out = render_remove_table("bridge", table);
    out += fmt::format("table bridge {} {{\n", table);
    // Frames to other ports (forward) and to the host itself (input) are checked alike.
    for (const char* hook : {"forward", "input"}) {
        out += fmt::format("\tchain {}.{} {{\n\t\ttype filter hook {} priority filter; policy accept;\n",
                           std::string(hook) == "forward" ? "fwd" : "in", f.host_name, hook);
        for (const auto& r : rules) out += "\t\t" + r + "\n";
        out += "\t}\n";
    }
    out += "}\n";
    return out;
}

void nft_apply(const std::string& script) {
    Pipe in = make_pipe();
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    SpawnSpec spec;
    spec.argv = {"nft", "-f", "-"};
    spec.fds = {in.read.get(), out.write.get(), err.write.get()};
    spec.new_session = true;
    Child child = spawn(spec);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    std::string stdout_text, stderr_text;
    pump_io(in.write.release(), &script, out.read.get(), &stdout_text, err.read.get(), &stderr_text);
    int status = child.wait();
    if (exit_code_from_status(status) != 0) {
        while (!stderr_text.empty() && stderr_text.back() == '\n') stderr_text.pop_back();
        throw Error(ErrorCode::Backend, fmt::format("nft -f - failed: {}", stderr_text));
    }
}

void apply_network_table(const NetworkFirewall& firewall) {
    nft_apply(render_network_ruleset(firewall));
}

void remove_network_table(const std::string& network) {
    nft_apply(render_remove_table("inet", network_table_name(network)));
}

void apply_nic_filter(const NicFilter& filter) {
    std::string script = render_nic_filter(filter);
    nft_apply(script.empty() ? render_remove_table("bridge", nic_table_name(filter.host_name)) : script);
}

void remove_nic_filter(const std::string& host_name) {
    nft_apply(render_remove_table("bridge", nic_table_name(host_name)));
}

void enable_forwarding(bool ipv4, bool ipv6) {
    // Plain writes: /proc files cannot be replaced by a rename.
    auto set = [](const char* path) {
        UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
        if (!fd || ::write(fd.get(), "1\n", 2) != 2) throw Error::from_errno(fmt::format("writing {}", path), errno);
    };
    if (ipv4) set("/proc/sys/net/ipv4/ip_forward");
    if (ipv6) set("/proc/sys/net/ipv6/conf/all/forwarding");
}

}  // namespace li::net
