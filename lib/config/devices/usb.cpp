// usb devices: the host's USB devices (their /dev/bus/usb nodes), matched by ids.
#include <cctype>
#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "libinstance/error.hpp"

namespace li::config {

namespace {

std::string check_hex_id(std::string_view v) {
    if (v.size() != 4) return "not a 4-digit hex id such as 1d6b";
    for (char c : v)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return "not a 4-digit hex id such as 1d6b";
    return {};
}

std::string check_mode(std::string_view v) {
    if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string_view::npos)
        return "not an octal mode such as 0660";
    return {};
}

}  // namespace

DeviceType usb_device_type() {
    DeviceType t;
    t.type = "usb";
    t.doc = "The host's USB devices matching the ids, passed as their /dev/bus/usb nodes";
    t.hotplug = true;
    t.keys = {
        {"vendorid", "string", "", Scope::Instance, false, "The vendor id of the USB device (e.g. 1d6b)", check_hex_id},
        {"productid", "string", "", Scope::Instance, false, "The product id of the USB device", check_hex_id},
        {"serial", "string", "", Scope::Instance, false, "The serial number of the USB device", check_any},
        {"uid", "integer", "0", Scope::Container, false, "Owner of the node inside the container", check_uint},
        {"gid", "integer", "0", Scope::Container, false, "Group of the node inside the container", check_uint},
        {"mode", "integer", "0660", Scope::Container, false, "Mode of the node (octal)", check_mode},
        {"required", "bool", "false", Scope::Instance, false, "Fail when no matching device is plugged in", check_bool},
    };
    t.check = [](const std::string& name, const api::ConfigMap& d, std::string_view) {
        if (device_value(d, "vendorid").empty())
            throw Error::invalid("devices." + name + ".vendorid", fmt::format("usb device \"{}\" needs a vendorid", name));
    };
    return t;
}

}  // namespace li::config
