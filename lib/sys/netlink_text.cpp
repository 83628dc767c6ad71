#include "sys/netlink_text.hpp"

#include <fmt/format.h>
#include <linux/rtnetlink.h>

namespace li::netlink_text {

std::string hwaddr(const unsigned char* data, size_t len) {
    bool all_zero = true;
    std::string out;
    for (size_t i = 0; i < len; i++) {
        all_zero &= data[i] == 0;
        out += fmt::format("{}{:02x}", i ? ":" : "", data[i]);
    }
    return all_zero ? std::string() : out;
}

std::string scope_name(unsigned char scope) {
    switch (scope) {
    case RT_SCOPE_UNIVERSE: return "global";
    case RT_SCOPE_LINK: return "link";
    case RT_SCOPE_HOST: return "local";
    default: return std::to_string(scope);
    }
}

}  // namespace li::netlink_text
