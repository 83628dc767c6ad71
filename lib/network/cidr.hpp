#pragma once
// An IPv4 or IPv6 address with a prefix length ("10.1.2.1/24", "fd42::1/64"): parsing, the
// subnet it lies in, and overlap between subnets.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace li::net {

struct Cidr {
    int family = 0;                      ///< AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};     ///< network byte order; 4 used for IPv4
    int prefix = 0;

    size_t size() const { return family == 4 ? 4 : 16; }
    /// "10.1.2.1/24".
    std::string text() const;
    /// The address alone ("10.1.2.1").
    std::string address() const;
    /// The subnet: host bits cleared ("10.1.2.0/24").
    Cidr network() const;
    /// Whether the two subnets share an address (same family only).
    bool overlaps(const Cidr& other) const;
    /// Whether the address part is the subnet's own address or (IPv4) its broadcast.
    bool is_network_or_broadcast() const;
};

/// Parses "ADDRESS/PREFIX"; nullopt when it is not one. family is 4 or 6.
std::optional<Cidr> parse_cidr(std::string_view text);

}  // namespace li::net
