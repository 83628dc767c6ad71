// gpu devices: the host's GPUs (their /dev/dri and /dev/nvidia* nodes), matched by ids.
#include <cctype>
#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "libinstance/error.hpp"

namespace li::config {

namespace {

// "8086" / "0x8086": four hex digits, as lspci and LXD print them.
std::string check_hex_id(std::string_view v) {
    if (v.rfind("0x", 0) == 0) v.remove_prefix(2);
    if (v.size() != 4) return "not a 4-digit hex id such as 10de";
    for (char c : v)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return "not a 4-digit hex id such as 10de";
    return {};
}

// "0000:01:00.0" or "01:00.0".
std::string check_pci(std::string_view v) {
    auto ok = [](std::string_view s, std::string_view shape) {
        if (s.size() != shape.size()) return false;
        for (size_t i = 0; i < s.size(); ++i) {
            if (shape[i] == 'x' ? !std::isxdigit(static_cast<unsigned char>(s[i])) : s[i] != shape[i]) return false;
        }
        return true;
    };
    return ok(v, "xxxx:xx:xx.x") || ok(v, "xx:xx.x") ? std::string() : "not a PCI address such as 0000:01:00.0";
}

std::string check_mode(std::string_view v) {
    if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string_view::npos)
        return "not an octal mode such as 0660";
    return {};
}

}  // namespace

DeviceType gpu_device_type() {
    DeviceType t;
    t.type = "gpu";
    t.doc = "The host's GPUs matching the ids (all of them when none is set), passed as their device nodes";
    t.hotplug = true;
    t.keys = {
        {"gputype", "string", "physical", Scope::Instance, false, "Only physical GPUs can be passed to containers",
         one_of({"physical"})},
        {"vendorid", "string", "", Scope::Instance, false, "The vendor id of the GPU (e.g. 10de)", check_hex_id},
        {"productid", "string", "", Scope::Instance, false, "The product id of the GPU", check_hex_id},
        {"id", "string", "", Scope::Instance, false, "The DRM card id of the GPU (the N of /dev/dri/cardN)", check_uint},
        {"pci", "string", "", Scope::Instance, false, "The PCI address of the GPU", check_pci},
        {"uid", "integer", "0", Scope::Container, false, "Owner of the nodes inside the container", check_uint},
        {"gid", "integer", "0", Scope::Container, false, "Group of the nodes inside the container", check_uint},
        {"mode", "integer", "0660", Scope::Container, false, "Mode of the nodes (octal)", check_mode},
    };
    return t;
}

}  // namespace li::config
