#pragma once
// The address forms of proxy devices, as LXD writes them: "tcp:127.0.0.1:80", "udp:[::1]:53",
// "tcp:0.0.0.0:8000-8002,9000", "unix:/run/app.sock", "unix:@abstract". Header-only because the
// helper (which links liblxc only) and the config validation both parse them.

#include <arpa/inet.h>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace li::proxy {

struct Address {
    std::string type;             ///< "tcp", "udp" or "unix"
    std::string host;             ///< tcp/udp: the IP address, without brackets
    std::vector<uint16_t> ports;  ///< tcp/udp: every port, ranges expanded
    std::string path;             ///< unix: the path, or the name after '@' when abstract
    bool abstract = false;

    bool stream() const { return type != "udp"; }
};

namespace detail {
inline bool parse_port(std::string_view text, uint16_t& out) {
    if (text.empty() || text.size() > 5) return false;
    unsigned v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return false;
    out = static_cast<uint16_t>(v);
    return true;
}
}  // namespace detail

/// Parses an address; returns "" and fills out, or the reason the text is not one.
inline std::string parse_address(std::string_view text, Address& out) {
    out = Address{};
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) return "expected <type>:<address>, e.g. tcp:127.0.0.1:80 or unix:/path";
    out.type = std::string(text.substr(0, colon));
    std::string_view rest = text.substr(colon + 1);
    if (out.type == "unix") {
        if (rest.empty()) return "a unix address needs a path";
        if (rest.front() == '@') {
            out.abstract = true;
            rest.remove_prefix(1);
            if (rest.empty()) return "an abstract unix address needs a name";
        } else if (rest.front() != '/') {
            return "a unix socket path must be absolute";
        }
        if (rest.size() > 100) return "a unix socket path is limited to 100 characters";
        out.path = std::string(rest);
        return {};
    }
    if (out.type != "tcp" && out.type != "udp") return "the type must be tcp, udp or unix";
    std::string_view ports;
    if (!rest.empty() && rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return "expected [<IPv6 address>]:<port>";
        out.host = std::string(rest.substr(1, close - 1));
        ports = rest.substr(close + 2);
    } else {
        size_t last = rest.rfind(':');
        if (last == std::string_view::npos) return "expected <address>:<port>";
        out.host = std::string(rest.substr(0, last));
        ports = rest.substr(last + 1);
    }
    if (out.host.empty()) return "the address is missing";
    unsigned char ip[16];
    if (::inet_pton(AF_INET, out.host.c_str(), ip) != 1 && ::inet_pton(AF_INET6, out.host.c_str(), ip) != 1)
        return "\"" + out.host + "\" is not an IP address";
    while (!ports.empty()) {
        size_t comma = ports.find(',');
        std::string_view part = ports.substr(0, comma);
        size_t dash = part.find('-');
        uint16_t first = 0, last = 0;
        if (dash == std::string_view::npos) {
            if (!detail::parse_port(part, first)) return "invalid port \"" + std::string(part) + "\"";
            last = first;
        } else if (!detail::parse_port(part.substr(0, dash), first) || !detail::parse_port(part.substr(dash + 1), last) ||
                   last < first) {
            return "invalid port range \"" + std::string(part) + "\"";
        }
        if (out.ports.size() + (last - first) + 1 > 1024) return "at most 1024 ports";
        for (unsigned p = first; p <= last; p++) out.ports.push_back(static_cast<uint16_t>(p));
        if (comma == std::string_view::npos) break;
        ports.remove_prefix(comma + 1);
        if (ports.empty()) return "a port list cannot end with a comma";
    }
    if (out.ports.empty()) return "the port is missing";
    return {};
}

/// Whether a listen and a connect address can be forwarded: udp to udp only (datagrams), tcp and
/// unix streams in any pairing; one connect port, or as many as listen ports. "" when they can.
inline std::string check_pair(const Address& listen, const Address& connect) {
    if (listen.stream() != connect.stream()) return "udp can only be forwarded to udp";
    if (connect.type != "unix" && listen.type != "unix" && connect.ports.size() != 1 &&
        connect.ports.size() != listen.ports.size())
        return "connect needs one port or as many ports as listen";
    if (listen.type == "unix" && connect.type != "unix" && connect.ports.size() != 1)
        return "a unix listener connects to one port";
    return {};
}

}  // namespace li::proxy
