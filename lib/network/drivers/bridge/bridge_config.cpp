#include "network/drivers/bridge/bridge_config.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <net/if.h>
#include <fmt/format.h>
#include <regex>

#include "libinstance/error.hpp"
#include "network/tunnels.hpp"

namespace li {

namespace {

using Config = std::map<std::string, std::string>;

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& why) {
    throw Error::invalid("config." + key, fmt::format("invalid value \"{}\" for network config key \"{}\": {}", value, key, why));
}

bool is_bool(const std::string& v) {
    for (const char* ok : {"true", "false", "1", "0", "yes", "no", "on", "off"})
        if (v == ok) return true;
    return false;
}

bool uint_in(const std::string& v, uint64_t lo, uint64_t hi) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    return !v.empty() && ec == std::errc() && end == v.data() + v.size() && n >= lo && n <= hi;
}

bool is_ip(const std::string& v, int family) {
    unsigned char buf[16];
    return ::inet_pton(family, v.c_str(), buf) == 1;
}

bool is_mac(const std::string& v) {
    static const std::regex mac("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$");
    return std::regex_match(v, mac) && !(std::stoi(v.substr(0, 2), nullptr, 16) & 1);
}

const char* const kBools[] = {"ipv4.nat", "ipv6.nat", "ipv4.dhcp", "ipv6.dhcp", "ipv6.dhcp.stateful", "ipv4.firewall", "ipv6.firewall"};

void check_tunnel(const std::string& key, const std::string& value) {
    // tunnel.NAME.FIELD
    auto last = key.rfind('.');
    std::string field = key.substr(last + 1);
    if (last <= 7) bad(key, value, "expected tunnel.NAME.FIELD");
    if (field == "protocol") {
        if (value != "vxlan" && value != "gre") bad(key, value, "expected vxlan or gre");
    } else if (field == "local" || field == "remote") {
        if (!is_ip(value, AF_INET) && !is_ip(value, AF_INET6)) bad(key, value, "expected an IP address");
    } else if (field == "id") {
        if (!uint_in(value, 0, 16777215)) bad(key, value, "expected a VXLAN id (0 to 16777215)");
    } else if (field == "port") {
        if (!uint_in(value, 1, 65535)) bad(key, value, "expected a port number");
    } else if (field == "ttl") {
        if (!uint_in(value, 1, 255)) bad(key, value, "expected a TTL (1 to 255)");
    } else if (field == "group" || field == "interface") {
        // accepted as LXD does
    } else {
        throw Error::invalid("config." + key, fmt::format("unknown network config key \"{}\"", key));
    }
}

void check_ranges(const std::string& key, const std::string& value) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string range = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto dash = range.find('-');
        if (dash == std::string::npos || !is_ip(range.substr(0, dash), AF_INET) || !is_ip(range.substr(dash + 1), AF_INET))
            bad(key, value, "expected comma-separated FIRST-LAST IPv4 ranges");
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
}

void check_key(const std::string& key, const std::string& value) {
    for (const char* b : kBools)
        if (key == b) {
            if (!is_bool(value)) bad(key, value, "expected true or false");
            return;
        }
    if (key == "ipv4.address" || key == "ipv6.address") return;  // checked with the subnets
    if (key == "ipv4.dhcp.ranges") return check_ranges(key, value);
    if (key == "ipv4.dhcp.gateway" || key == "ipv4.nat.address") {
        if (!is_ip(value, AF_INET)) bad(key, value, "expected an IPv4 address");
        return;
    }
    if (key == "ipv6.nat.address") {
        if (!is_ip(value, AF_INET6)) bad(key, value, "expected an IPv6 address");
        return;
    }
    if (key == "dns.search") return;
    if (key == "ipv4.dhcp.expiry" || key == "ipv6.dhcp.expiry" || key == "raw.dnsmasq" || key == "ipv6.dhcp.ranges") return;
    if (key == "dns.domain") {
        static const std::regex domain("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$");
        if (!std::regex_match(value, domain)) bad(key, value, "expected a domain name");
        return;
    }
    if (key == "dns.mode") {
        if (value != "managed" && value != "dynamic" && value != "none") bad(key, value, "expected managed, dynamic or none");
        return;
    }
    if (key == "bridge.mtu") {
        if (!uint_in(value, 68, 65535)) bad(key, value, "expected an MTU from 68 to 65535");
        return;
    }
    if (key == "bridge.hwaddr") {
        if (!is_mac(value)) bad(key, value, "expected a unicast MAC address such as 00:16:3e:12:34:56");
        return;
    }
    if (key == "bridge.driver") {
        if (value != "native") bad(key, value, "only the native bridge driver is supported");
        return;
    }
    if (key.rfind("user.", 0) == 0) return;
    if (key.rfind("tunnel.", 0) == 0) return check_tunnel(key, value);
    throw Error::invalid("config." + key, fmt::format("unknown network config key \"{}\"", key));
}

// ipv4.address / ipv6.address: none, auto (replaced) or a host address with its prefix that
// overlaps nothing else.
void resolve_address(Config& config, const std::string& key, int family, const NetworkContext& context,
                     const std::vector<net::TakenSubnet>& routes) {
    auto it = config.find(key);
    if (it == config.end() || it->second == "none") return;
    std::vector<net::TakenSubnet> taken = context.other_networks;
    taken.insert(taken.end(), routes.begin(), routes.end());
    if (it->second == "auto") {
        net::Cidr chosen = family == 4 ? net::auto_ipv4(taken) : net::auto_ipv6(taken);
        it->second = chosen.text();
        return;
    }
    auto cidr = net::parse_cidr(it->second);
    if (!cidr || cidr->family != family)
        bad(key, it->second, family == 4 ? "expected auto, none or an IPv4 address with its prefix (10.1.2.1/24)"
                                         : "expected auto, none or an IPv6 address with its prefix (fd42::1/64)");
    if (family == 4 && (cidr->prefix < 1 || cidr->prefix > 30)) bad(key, it->second, "the prefix must be from 1 to 30");
    if (family == 6 && (cidr->prefix < 1 || cidr->prefix > 126)) bad(key, it->second, "the prefix must be from 1 to 126");
    if (cidr->is_network_or_broadcast()) bad(key, it->second, "the bridge needs a host address of the subnet, not its network or broadcast address");
    if (auto overlap = net::find_overlap(*cidr, taken))
        bad(key, it->second, fmt::format("subnet {} overlaps {} ({})", cidr->network().text(), overlap->owner, overlap->subnet.text()));
}

}  // namespace

std::map<std::string, std::string> bridge_config(const Config& config_in, const NetworkContext& context,
                                                 const std::vector<net::TakenSubnet>& host_routes4,
                                                 const std::vector<net::TakenSubnet>& host_routes6) {
    Config config = config_in;
    for (const auto& [key, value] : config) check_key(key, value);
    if (context.creating) {
        for (const char* family : {"ipv4", "ipv6"}) {
            std::string addr = std::string(family) + ".address";
            std::string nat = std::string(family) + ".nat";
            if (!config.count(addr)) config[addr] = "auto";
            if (config[addr] == "auto" && !config.count(nat)) config[nat] = "true";
        }
    }
    // An unchanged address stays as it is (it overlaps its own route; and auto is not re-chosen).
    auto unchanged = [&](const std::string& key) {
        auto a = config.find(key);
        auto b = context.current.find(key);
        return a != config.end() && b != context.current.end() && a->second == b->second;
    };
    if (!unchanged("ipv4.address")) resolve_address(config, "ipv4.address", 4, context, host_routes4);
    if (!unchanged("ipv6.address")) resolve_address(config, "ipv6.address", 6, context, host_routes6);
    return config;
}

void check_tunnel_names(const std::string& bridge, const Config& config) {
    for (const auto& tunnel : tunnel_names(config)) {
        std::string name = tunnel_interface(bridge, tunnel);
        if (name.size() < IFNAMSIZ) continue;
        std::string key = "tunnel." + tunnel + ".protocol";
        if (!config.count(key)) key = config.lower_bound("tunnel." + tunnel + ".")->first;
        throw Error::invalid("config." + key, fmt::format("tunnel \"{}\" of network \"{}\" would be interface \"{}\", longer than {} characters",
                                                          tunnel, bridge, name, IFNAMSIZ - 1));
    }
}

std::optional<net::Cidr> bridge_address(const Config& config, const std::string& key) {
    auto it = config.find(key);
    if (it == config.end()) return std::nullopt;
    return net::parse_cidr(it->second);
}

}  // namespace li
