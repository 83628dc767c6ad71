#include "network/cidr.hpp"

#include <arpa/inet.h>
#include <charconv>

namespace li::net {

std::optional<Cidr> parse_cidr(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string addr(text.substr(0, slash));
    std::string_view len = text.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
    if (ec != std::errc() || end != len.data() + len.size() || len.empty()) return std::nullopt;
    Cidr c;
    if (::inet_pton(AF_INET, addr.c_str(), c.bytes.data()) == 1) {
        c.family = 4;
        if (prefix < 0 || prefix > 32) return std::nullopt;
    } else if (::inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) == 1) {
        c.family = 6;
        if (prefix < 0 || prefix > 128) return std::nullopt;
    } else {
        return std::nullopt;
    }
    c.prefix = prefix;
    return c;
}

std::string Cidr::address() const {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

std::string Cidr::text() const { return address() + "/" + std::to_string(prefix); }

Cidr Cidr::network() const {
    Cidr out = *this;
    for (size_t i = 0; i < size(); i++) {
        int bits = prefix - static_cast<int>(i) * 8;
        uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
        out.bytes[i] &= mask;
    }
    return out;
}

bool Cidr::overlaps(const Cidr& other) const {
    if (family != other.family) return false;
    // Two subnets overlap exactly when the shorter prefix contains the other's network.
    Cidr shorter = prefix <= other.prefix ? *this : other;
    Cidr longer = prefix <= other.prefix ? other : *this;
    Cidr probe = longer;
    probe.prefix = shorter.prefix;
    return probe.network().bytes == shorter.network().bytes;
}

bool Cidr::is_network_or_broadcast() const {
    if (family == 6) return prefix < 127 && network().bytes == bytes;
    if (prefix >= 31) return false;
    if (network().bytes == bytes) return true;
    uint32_t host_mask = prefix == 0 ? 0xffffffffu : (1u << (32 - prefix)) - 1;
    uint32_t v = (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8) | bytes[3];
    return (v & host_mask) == host_mask;
}

}  // namespace li::net
