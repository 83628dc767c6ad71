// unix-char and unix-block devices: host device nodes made in the container.
#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "libinstance/error.hpp"

namespace li::config {

namespace {

std::string check_mode(std::string_view v) {
    if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string_view::npos)
        return "not an octal mode such as 0660";
    return {};
}

std::string check_abs_path(std::string_view v) {
    if (v.empty() || v.front() != '/') return "not an absolute path";
    if (v.find('\n') != std::string_view::npos) return "contains a newline";
    return {};
}

DeviceType unix_device_type(const char* type, const char* doc) {
    DeviceType t;
    t.type = type;
    t.doc = doc;
    t.hotplug = true;
    t.keys = {
        {"source", "string", "", Scope::Container, false, "Host path of the device node", check_abs_path},
        {"path", "string", "", Scope::Container, false, "Path inside the container (default: source)", check_abs_path},
        {"major", "integer", "", Scope::Container, false, "Major number (default: the source's)", uint_range(0, 4095)},
        {"minor", "integer", "", Scope::Container, false, "Minor number (default: the source's)", uint_range(0, 1048575)},
        {"uid", "integer", "0", Scope::Container, false, "Owner inside the container", check_uint},
        {"gid", "integer", "0", Scope::Container, false, "Group inside the container", check_uint},
        {"mode", "integer", "0660", Scope::Container, false, "Mode of the node (octal)", check_mode},
        {"required", "bool", "true", Scope::Container, false, "Fail when the source is missing", check_bool},
    };
    t.check = [](const std::string& name, const api::ConfigMap& d, std::string_view) {
        std::string field = "devices." + name;
        bool numbers = !device_value(d, "major").empty() && !device_value(d, "minor").empty();
        if (device_value(d, "source").empty()) {
            if (device_value(d, "path").empty())
                throw Error::invalid(field + ".path", fmt::format("device \"{}\" needs a source or a path", name));
            if (!numbers)
                throw Error::invalid(field + (device_value(d, "major").empty() ? ".major" : ".minor"),
                                     fmt::format("device \"{}\" without a source needs major and minor", name));
        }
    };
    return t;
}

}  // namespace

DeviceType unix_char_device_type() { return unix_device_type("unix-char", "A character device node"); }
DeviceType unix_block_device_type() { return unix_device_type("unix-block", "A block device node"); }

}  // namespace li::config
