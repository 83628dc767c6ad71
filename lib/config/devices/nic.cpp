// nic devices: network interfaces of containers (bridged, macvlan, p2p, physical).
#include <arpa/inet.h>
#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "config/validators.hpp"
#include "libinstance/error.hpp"

namespace li::config {

namespace {
// A Linux interface name: 1..15 characters, none of them '/', ':' or white space.
std::string check_interface_name(std::string_view v) {
    if (v.empty() || v.size() > 15) return "an interface name has 1 to 15 characters";
    if (v == "." || v == "..") return "not an interface name";
    for (char c : v)
        if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '%') return "not an interface name";
    return {};
}

// A unicast MAC address, "00:16:3e:12:34:56".
std::string check_hwaddr(std::string_view v) {
    if (v.size() != 17) return "expected a MAC address such as 00:16:3e:12:34:56";
    for (size_t i = 0; i < v.size(); i++) {
        bool hex = std::isxdigit(static_cast<unsigned char>(v[i]));
        if (i % 3 == 2 ? v[i] != ':' : !hex) return "expected a MAC address such as 00:16:3e:12:34:56";
    }
    int first = std::stoi(std::string(v.substr(0, 2)), nullptr, 16);
    if (first & 1) return "a multicast address cannot be an interface's address";
    return {};
}

std::string check_ip(std::string_view v, int family) {
    unsigned char buf[16];
    return ::inet_pton(family, std::string(v).c_str(), buf) == 1 ? "" : family == AF_INET ? "not an IPv4 address" : "not an IPv6 address";
}
}  // namespace

DeviceType nic_device_type() {
    DeviceType t;
    t.type = "nic";
    t.doc = "A network interface: a veth on a host bridge, macvlan, p2p veth, or a host interface moved in";
    t.hotplug = true;
    t.keys = {
        {"nictype", "string", "", Scope::Instance, false, "bridged, macvlan, p2p or physical", one_of({"bridged", "macvlan", "p2p", "physical"})},
        {"network", "string", "", Scope::Instance, false, "A managed network (instead of nictype and parent)", check_any},
        {"name", "string", "", Scope::Instance, false, "Interface name inside the instance (default: the first free ethN)", check_interface_name},
        {"hwaddr", "string", "", Scope::Instance, false, "MAC address (default: derived from the instance and device names)", check_hwaddr},
        {"mtu", "integer", "", Scope::Instance, false, "MTU of the interface", uint_range(68, 65535)},
        {"host_name", "string", "", Scope::Instance, false, "Name of the host side (bridged, p2p; default: veth + hash)", check_interface_name},
        {"parent", "string", "", Scope::Instance, false, "Host bridge (bridged) or host interface (macvlan, physical)", check_interface_name},
        {"ipv4.address", "string", "", Scope::Instance, false, "IPv4 address for a managed network's DHCP (stored)", [](std::string_view v) { return check_ip(v, AF_INET); }},
        {"ipv6.address", "string", "", Scope::Instance, false, "IPv6 address for a managed network's DHCP (stored)", [](std::string_view v) { return check_ip(v, AF_INET6); }},
        {"security.mac_filtering", "bool", "false", Scope::Instance, false, "Drop frames from another MAC address (managed bridge)", check_bool},
        {"security.ipv4_filtering", "bool", "false", Scope::Instance, false, "Drop IPv4 and ARP from another address than ipv4.address (bridged, managed network)", check_bool},
        {"security.ipv6_filtering", "bool", "false", Scope::Instance, false, "Drop IPv6 from another address than ipv6.address or link-local (bridged, managed network)", check_bool},
        {"limits.ingress", "string", "", Scope::Instance, true, "Rate limit of incoming traffic in bit/s (bridged, p2p)", check_bit_rate},
        {"limits.egress", "string", "", Scope::Instance, true, "Rate limit of outgoing traffic in bit/s (bridged, p2p)", check_bit_rate},
        {"limits.max", "string", "", Scope::Instance, true, "Both limits.ingress and limits.egress (bridged, p2p)", check_bit_rate},
        {"boot.priority", "integer", "", Scope::VirtualMachine, false, "Boot order of VMs (ignored by containers)", check_uint},
    };
    t.check = [](const std::string& name, const api::ConfigMap& d, std::string_view) {
        std::string field = "devices." + name + ".";
        std::string nictype = device_value(d, "nictype");
        if (!device_value(d, "network").empty()) {
            // As LXD: the network decides the nic's type and parent.
            for (const char* key : {"nictype", "parent"})
                if (!device_value(d, key).empty())
                    throw Error::invalid(field + key, fmt::format("nic device \"{}\" has both network and {} (they exclude each other)", name, key));
            if (d.count("limits.max") && (d.count("limits.ingress") || d.count("limits.egress")))
                throw Error::invalid(field + "limits.max", fmt::format("nic device \"{}\": limits.max replaces limits.ingress and limits.egress", name));
            return;
        }
        if (nictype.empty()) throw Error::invalid(field + "nictype", fmt::format("nic device \"{}\" needs nictype or network", name));
        bool has_parent = !device_value(d, "parent").empty();
        if (nictype != "p2p" && !has_parent)
            throw Error::invalid(field + "parent", fmt::format("{} nic device \"{}\" needs a parent", nictype, name));
        if (nictype == "p2p" && has_parent)
            throw Error::invalid(field + "parent", fmt::format("p2p nic device \"{}\" has no parent", name));
        for (const char* key : {"security.mac_filtering", "security.ipv4_filtering", "security.ipv6_filtering"})
            if (d.count(key))
                throw Error::invalid(field + key, fmt::format("{} needs a nic on a managed bridge network (device \"{}\" has no network key)", key, name));
        bool veth = nictype == "bridged" || nictype == "p2p";
        for (const char* key : {"host_name", "limits.ingress", "limits.egress", "limits.max"})
            if (!veth && d.count(key))
                throw Error::invalid(field + key, fmt::format("{} is only for bridged and p2p nics (device \"{}\" is {})", key, name, nictype));
        if (d.count("limits.max") && (d.count("limits.ingress") || d.count("limits.egress")))
            throw Error::invalid(field + "limits.max", fmt::format("nic device \"{}\": limits.max replaces limits.ingress and limits.egress", name));
    };
    return t;
}

}  // namespace li::config
