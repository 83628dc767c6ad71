#include "network/dnsmasq_config.hpp"

#include <arpa/inet.h>
#include <array>
#include <charconv>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <string_view>

#include "libinstance/error.hpp"

namespace li::net {

namespace {

// An address with its prefix, enough to find a subnet's first and last addresses.
struct Prefixed {
    int family = 0;  // 4 or 6
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;
    std::string address;  // as written, without prefix
};

std::optional<Prefixed> parse_prefixed(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    Prefixed p;
    p.address = std::string(text.substr(0, slash));
    std::string_view len = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), p.prefix);
    if (len.empty() || ec != std::errc() || end != len.data() + len.size()) return std::nullopt;
    if (::inet_pton(AF_INET, p.address.c_str(), p.bytes.data()) == 1) {
        p.family = 4;
        if (p.prefix < 0 || p.prefix > 32) return std::nullopt;
    } else if (::inet_pton(AF_INET6, p.address.c_str(), p.bytes.data()) == 1) {
        p.family = 6;
        if (p.prefix < 0 || p.prefix > 128) return std::nullopt;
    } else {
        return std::nullopt;
    }
    return p;
}

bool is_address(std::string_view text, int family) {
    std::array<uint8_t, 16> buf{};
    std::string s(text);
    return ::inet_pton(family == 4 ? AF_INET : AF_INET6, s.c_str(), buf.data()) == 1;
}

// The subnet's address at `offset` from its start (offset >= 0) or from its end (offset < 0,
// -1 being the last address), as LXD's dhcpalloc.GetIP.
std::string subnet_ip(const Prefixed& p, long offset) {
    size_t size = p.family == 4 ? 4 : 16;
    std::array<uint8_t, 16> b = p.bytes;
    for (size_t i = 0; i < size; i++) {
        int bits = p.prefix - static_cast<int>(i * 8);
        uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
        b[i] = offset >= 0 ? (b[i] & mask) : (b[i] | static_cast<uint8_t>(~mask));
    }
    // Add (or subtract) |offset| + (offset < 0 ? -1 : 0) with carry, from the last byte.
    unsigned long delta = offset >= 0 ? static_cast<unsigned long>(offset) : static_cast<unsigned long>(-offset - 1);
    for (size_t i = size; i-- > 0 && delta;) {
        unsigned long step = delta & 0xff;
        delta >>= 8;
        if (offset >= 0) {
            unsigned v = b[i] + step;
            b[i] = static_cast<uint8_t>(v);
            delta += v >> 8;
        } else {
            int v = static_cast<int>(b[i]) - static_cast<int>(step);
            b[i] = static_cast<uint8_t>(v);
            if (v < 0) delta += 1;
        }
    }
    char out[INET6_ADDRSTRLEN];
    ::inet_ntop(p.family == 4 ? AF_INET : AF_INET6, b.data(), out, sizeof out);
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

// "a-b,c-d" (LXD's syntax) to dnsmasq's "a,b" pairs, each address checked.
std::vector<std::string> parse_ranges(const std::string& ranges, int family, const std::string& key) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= ranges.size()) {
        size_t comma = ranges.find(',', pos);
        if (comma == std::string::npos) comma = ranges.size();
        std::string range = trim(std::string_view(ranges).substr(pos, comma - pos));
        pos = comma + 1;
        if (range.empty()) continue;
        auto dash = range.find('-');
        std::string from = dash == std::string::npos ? "" : trim(range.substr(0, dash));
        std::string to = dash == std::string::npos ? "" : trim(range.substr(dash + 1));
        if (!is_address(from, family) || !is_address(to, family))
            throw Error::invalid("config." + key,
                                 fmt::format("invalid range \"{}\" in \"{}\": expected START-END IPv{} addresses",
                                             range, ranges, family));
        out.push_back(from + "," + to);
    }
    return out;
}

Prefixed parse_address(const std::string& value, int family, const std::string& key) {
    auto p = parse_prefixed(value);
    if (!p || p->family != family)
        throw Error::invalid("config." + key, fmt::format("invalid IPv{} address \"{}\": expected ADDRESS/PREFIX",
                                                          family, value));
    return *p;
}

bool is_true(const std::map<std::string, std::string>& config, const std::string& key, bool fallback) {
    auto it = config.find(key);
    if (it == config.end() || it->second.empty()) return fallback;
    const std::string& v = it->second;
    return v == "true" || v == "1" || v == "yes" || v == "on";
}

std::string get(const std::map<std::string, std::string>& config, const std::string& key,
                const std::string& fallback = {}) {
    auto it = config.find(key);
    return it == config.end() || it->second.empty() ? fallback : it->second;
}

}  // namespace

DnsmasqConfig dnsmasq_config_from(const std::string& network, const std::string& bridge,
                                  const std::filesystem::path& dir,
                                  const std::map<std::string, std::string>& config) {
    DnsmasqConfig c;
    c.network = network;
    c.bridge = bridge;
    c.dir = dir;
    auto address = [](const std::string& v) { return v == "none" || v == "auto" ? std::string() : v; };
    c.ipv4_address = address(get(config, "ipv4.address"));
    c.ipv4_dhcp = is_true(config, "ipv4.dhcp", true);
    c.ipv4_dhcp_ranges = get(config, "ipv4.dhcp.ranges");
    c.ipv4_dhcp_expiry = get(config, "ipv4.dhcp.expiry", "1h");
    c.ipv4_dhcp_gateway = get(config, "ipv4.dhcp.gateway");
    c.ipv6_address = address(get(config, "ipv6.address"));
    c.ipv6_dhcp = is_true(config, "ipv6.dhcp", true);
    c.ipv6_dhcp_stateful = is_true(config, "ipv6.dhcp.stateful", false);
    c.ipv6_dhcp_ranges = get(config, "ipv6.dhcp.ranges");
    c.ipv6_dhcp_expiry = get(config, "ipv6.dhcp.expiry", "1h");
    c.dns_domain = get(config, "dns.domain", "lxd");
    c.dns_mode = get(config, "dns.mode", "managed");
    c.dns_search = get(config, "dns.search");
    std::string mtu = get(config, "bridge.mtu");
    if (!mtu.empty()) {
        auto [end, ec] = std::from_chars(mtu.data(), mtu.data() + mtu.size(), c.mtu);
        if (ec != std::errc() || end != mtu.data() + mtu.size() || c.mtu <= 0)
            throw Error::invalid("config.bridge.mtu", fmt::format("invalid MTU \"{}\"", mtu));
    }
    c.raw = get(config, "raw.dnsmasq");
    return c;
}

bool dnsmasq_wanted(const DnsmasqConfig& config) {
    return !config.ipv4_address.empty() || !config.ipv6_address.empty();
}

std::vector<std::string> dnsmasq_args(const DnsmasqConfig& c) {
    std::string leases = (c.dir / "dnsmasq.leases").string();
    std::string hosts = (c.dir / "dnsmasq.hosts").string();
    std::vector<std::string> args{
        "--keep-in-foreground", "--strict-order", "--bind-interfaces", "--except-interface=lo",
        // The supervisor keeps the pid (it is our child); dnsmasq writes none.
        "--pid-file=",
        // Without --no-ping, dnsmasq waits for ICMP echo before each offer: slow leases.
        "--no-ping", "--interface=" + c.bridge, "--dhcp-rapid-commit", "--no-negcache",
        "--quiet-dhcp", "--quiet-dhcp6", "--quiet-ra"};
    bool dhcp_files = false;
    auto add_dhcp_files = [&] {
        if (dhcp_files) return;
        dhcp_files = true;
        args.insert(args.end(), {"--dhcp-no-override", "--dhcp-authoritative", "--dhcp-leasefile=" + leases,
                                 "--dhcp-hostsdir=" + hosts});
    };

    if (!c.ipv4_address.empty()) {
        Prefixed p = parse_address(c.ipv4_address, 4, "ipv4.address");
        args.push_back("--listen-address=" + p.address);
        if (c.ipv4_dhcp) {
            add_dhcp_files();
            if (!c.ipv4_dhcp_gateway.empty()) args.push_back("--dhcp-option-force=3," + c.ipv4_dhcp_gateway);
            if (c.mtu > 0 && c.mtu != 1500) args.push_back(fmt::format("--dhcp-option-force=26,{}", c.mtu));
            if (!c.dns_search.empty()) args.push_back("--dhcp-option-force=119," + trim(c.dns_search));
            if (!c.ipv4_dhcp_ranges.empty()) {
                for (const auto& range : parse_ranges(c.ipv4_dhcp_ranges, 4, "ipv4.dhcp.ranges"))
                    args.insert(args.end(), {"--dhcp-range", range + "," + c.ipv4_dhcp_expiry});
            } else {
                args.insert(args.end(), {"--dhcp-range", fmt::format("{},{},{}", subnet_ip(p, 2), subnet_ip(p, -2),
                                                                     c.ipv4_dhcp_expiry)});
            }
        }
    }

    if (!c.ipv6_address.empty()) {
        Prefixed p = parse_address(c.ipv6_address, 6, "ipv6.address");
        args.insert(args.end(), {"--listen-address=" + p.address, "--enable-ra"});
        if (c.ipv6_dhcp) {
            add_dhcp_files();
            if (c.ipv6_dhcp_stateful) {
                if (!c.ipv6_dhcp_ranges.empty()) {
                    for (const auto& range : parse_ranges(c.ipv6_dhcp_ranges, 6, "ipv6.dhcp.ranges"))
                        args.insert(args.end(), {"--dhcp-range", fmt::format("{},{},{}", range, p.prefix,
                                                                             c.ipv6_dhcp_expiry)});
                } else {
                    args.insert(args.end(), {"--dhcp-range", fmt::format("{},{},{},{}", subnet_ip(p, 2), subnet_ip(p, -1),
                                                                         p.prefix, c.ipv6_dhcp_expiry)});
                }
            } else {
                args.insert(args.end(), {"--dhcp-range", fmt::format("::,constructor:{},ra-stateless,ra-names", c.bridge)});
            }
        } else {
            args.insert(args.end(), {"--dhcp-range", fmt::format("::,constructor:{},ra-only", c.bridge)});
        }
    }

    if (c.dns_mode == "none") {
        // No DNS at all; dnsmasq then advertises no DNS server over DHCP either.
        args.push_back("--port=0");
    } else {
        // Names in the domain are answered from leases and hosts and never forwarded upstream.
        args.insert(args.end(), {"--domain=" + c.dns_domain, "--interface-name",
                                 fmt::format("_gateway.{},{}", c.dns_domain, c.bridge),
                                 fmt::format("--local=/{}/", c.dns_domain)});
    }
    // Always a conf-file of our own: dnsmasq would read /etc/dnsmasq.conf otherwise.
    args.push_back("--conf-file=" + (c.dir / "dnsmasq.raw").string());
    if (!c.user.empty()) args.push_back("--user=" + c.user);
    if (!c.group.empty()) args.push_back("--group=" + c.group);
    return args;
}

std::string dnsmasq_raw_conf(const DnsmasqConfig& config) {
    return config.raw + "\n";
}

std::string dnsmasq_host_line(const std::string& hwaddr, const std::string& ipv4, const std::string& ipv6,
                              const std::string& hostname) {
    std::string line = hwaddr;
    if (!ipv4.empty()) line += "," + ipv4;
    if (!ipv6.empty()) line += ",[" + ipv6 + "]";
    if (!hostname.empty()) line += "," + hostname;
    return line == hwaddr ? std::string() : line;
}

std::string dnsmasq_host_file_name(const std::string& instance, const std::string& device) {
    return instance + "." + device;
}

}  // namespace li::net
