#include "network/subnet_auto.hpp"

#include <fmt/format.h>
#include <map>
#include <random>

#include "libinstance/error.hpp"
#include "network/netlink.hpp"

namespace li::net {

std::vector<TakenSubnet> host_subnets(int family, const std::string& skip_interface) {
    std::map<int, std::string> names;
    for (const auto& link : netlink::links()) names[link.index] = link.name;
    std::vector<TakenSubnet> out;
    for (const auto& route : netlink::routes(family)) {
        if (route.dst.prefix == 0) continue;  // the default route overlaps everything
        std::string dev = names.count(route.index) ? names[route.index] : std::string();
        if (!skip_interface.empty() && dev == skip_interface) continue;
        out.push_back({route.dst.network(), dev.empty() ? fmt::format("route {}", route.dst.network().text())
                                                        : fmt::format("route {} on {}", route.dst.network().text(), dev)});
    }
    return out;
}

std::optional<TakenSubnet> find_overlap(const Cidr& cidr, const std::vector<TakenSubnet>& taken) {
    for (const auto& t : taken)
        if (t.subnet.overlaps(cidr)) return t;
    return std::nullopt;
}

namespace {
Cidr v4(int a, int b, int c, int d, int prefix) {
    Cidr out;
    out.family = 4;
    out.bytes[0] = static_cast<uint8_t>(a);
    out.bytes[1] = static_cast<uint8_t>(b);
    out.bytes[2] = static_cast<uint8_t>(c);
    out.bytes[3] = static_cast<uint8_t>(d);
    out.prefix = prefix;
    return out;
}
}  // namespace

Cidr auto_ipv4(const std::vector<TakenSubnet>& taken) {
    std::random_device rd;
    std::mt19937 rng(rd());
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 100; i++) {
        Cidr c = v4(10, byte(rng), byte(rng), 1, 24);
        if (!find_overlap(c, taken)) return c;
    }
    // Crowded: walk every private /24 rather than fail.
    for (int b = 0; b < 256; b++)
        for (int c = 0; c < 256; c++)
            if (Cidr x = v4(10, b, c, 1, 24); !find_overlap(x, taken)) return x;
    for (int b = 16; b < 32; b++)
        for (int c = 0; c < 256; c++)
            if (Cidr x = v4(172, b, c, 1, 24); !find_overlap(x, taken)) return x;
    for (int c = 0; c < 256; c++)
        if (Cidr x = v4(192, 168, c, 1, 24); !find_overlap(x, taken)) return x;
    throw Error(ErrorCode::Busy, "no free private IPv4 /24 subnet: every one overlaps a route or a network", "config.ipv4.address");
}

Cidr auto_ipv6(const std::vector<TakenSubnet>& taken) {
    std::random_device rd;
    std::mt19937 rng(rd());
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 1000; i++) {
        Cidr c;
        c.family = 6;
        c.prefix = 64;
        c.bytes[0] = 0xfd;
        c.bytes[1] = 0x42;
        for (int j = 2; j < 8; j++) c.bytes[j] = static_cast<uint8_t>(byte(rng));
        c.bytes[15] = 1;
        if (!find_overlap(c, taken)) return c;
    }
    throw Error(ErrorCode::Busy, "no free IPv6 ULA /64 subnet", "config.ipv6.address");
}

}  // namespace li::net
