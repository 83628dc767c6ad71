// proxy devices: a forwarder between an address on the host and one in the container.
#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "helper/proxy_address.hpp"
#include "libinstance/error.hpp"

namespace li::config {

namespace {
std::string check_proxy_address(std::string_view value) {
    proxy::Address a;
    return proxy::parse_address(value, a);
}

std::string check_octal_mode(std::string_view value) {
    if (value.empty() || value.size() > 4) return "expected an octal mode such as 0644";
    for (char c : value)
        if (c < '0' || c > '7') return "expected an octal mode such as 0644";
    return {};
}
}  // namespace

DeviceType proxy_device_type() {
    DeviceType t;
    t.type = "proxy";
    t.doc = "Forwards tcp, udp or unix socket connections between the host and the container";
    t.hotplug = true;
    t.keys = {
        {"listen", "string", "", Scope::Container, false, "Where to listen: <type>:<addr>:<port>[-<port>][,<port>] or unix:<path>", check_proxy_address},
        {"connect", "string", "", Scope::Container, false, "Where to connect, in the same forms", check_proxy_address},
        {"bind", "string", "host", Scope::Container, false, "Which side listens: host or container", one_of({"host", "container"})},
        {"uid", "integer", "0", Scope::Container, false, "Owner of a listening unix socket", check_uint},
        {"gid", "integer", "0", Scope::Container, false, "Group of a listening unix socket", check_uint},
        {"mode", "integer", "0644", Scope::Container, false, "Mode of a listening unix socket (octal)", check_octal_mode},
        {"nat", "bool", "false", Scope::Container, false, "NAT-based forwarding (not supported; must be false)", check_bool},
    };
    t.check = [](const std::string& name, const api::ConfigMap& d, std::string_view) {
        std::string field = "devices." + name + ".";
        for (const char* key : {"listen", "connect"})
            if (device_value(d, key).empty())
                throw Error::invalid(field + key, fmt::format("proxy device \"{}\" needs {}", name, key));
        if (is_true(device_value(d, "nat", "false")))
            throw Error(ErrorCode::NotSupported,
                        fmt::format("proxy device \"{}\": nat mode is not supported (no firewall management)", name),
                        field + "nat");
        proxy::Address listen, connect;
        proxy::parse_address(device_value(d, "listen"), listen);
        proxy::parse_address(device_value(d, "connect"), connect);
        if (std::string why = proxy::check_pair(listen, connect); !why.empty())
            throw Error::invalid(field + "connect", fmt::format("invalid value \"{}\" for connect of device \"{}\": {}",
                                                                device_value(d, "connect"), name, why));
    };
    return t;
}

}  // namespace li::config
