#include "network/ipv4_allocation.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <set>
#include <sstream>

#include "libinstance/error.hpp"

namespace li::net {

namespace {

std::optional<uint32_t> to_host_order(const std::string& text) {
    in_addr a{};
    if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

std::string to_text(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// The [first, last] pairs of the ranges, or the subnet's .2 .. last-but-one.
std::vector<std::pair<uint32_t, uint32_t>> pools(const Cidr& bridge, const std::string& ranges) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    std::istringstream in(ranges);
    std::string range;
    while (std::getline(in, range, ',')) {
        auto dash = range.find('-');
        if (dash == std::string::npos) continue;
        auto trim = [](std::string s) {
            s.erase(0, s.find_first_not_of(" \t"));
            s.erase(s.find_last_not_of(" \t") + 1);
            return s;
        };
        auto from = to_host_order(trim(range.substr(0, dash)));
        auto to = to_host_order(trim(range.substr(dash + 1)));
        if (from && to && *from <= *to) out.emplace_back(*from, *to);
    }
    if (out.empty()) {
        uint32_t base = *to_host_order(bridge.network().address());
        uint32_t size = bridge.prefix >= 31 ? 0 : (1u << (32 - bridge.prefix));
        if (size >= 4) out.emplace_back(base + 2, base + size - 2);
    }
    return out;
}

}  // namespace

std::string allocate_ipv4(const std::string& network, const Cidr& bridge, const std::string& ranges,
                          const std::vector<api::NetworkLease>& taken, const std::string& hwaddr) {
    std::set<uint32_t> used;
    for (const auto& lease : taken) {
        auto address = to_host_order(lease.address);
        if (!address) continue;  // an IPv6 lease
        if (lower(lease.hwaddr) == lower(hwaddr)) return lease.address;
        used.insert(*address);
    }
    used.insert(*to_host_order(bridge.address()));
    for (auto [first, last] : pools(bridge, ranges))
        for (uint64_t a = first; a <= last; a++)
            if (!used.count(static_cast<uint32_t>(a))) return to_text(static_cast<uint32_t>(a));
    throw Error(ErrorCode::Backend, fmt::format("network \"{}\" has no free IPv4 address left in its DHCP ranges", network));
}

}  // namespace li::net
