// disk devices: the root disk (path "/", on a pool) and host paths or volumes mounted inside.
#include <fmt/format.h>

#include "config/device_keys.hpp"
#include "libinstance/error.hpp"

namespace li::config {

DeviceType disk_device_type() {
    DeviceType t;
    t.type = "disk";
    t.doc = "The root disk on a storage pool, or a host path or custom volume mounted into the instance";
    t.hotplug = true;
    t.keys = {
        {"path", "string", "", Scope::Instance, false, "Where the disk appears inside the instance", check_any},
        {"source", "string", "", Scope::Instance, false, "A host path (file or directory), or a custom volume's name when pool is set", check_any},
        {"pool", "string", "", Scope::Instance, false, "The storage pool the root disk or the volume is on", check_any},
        {"readonly", "bool", "false", Scope::Instance, false, "Mount read-only", check_bool},
        {"shift", "bool", "false", Scope::Container, false, "Shift host ownership into the container with an idmapped mount", check_bool},
        {"required", "bool", "true", Scope::Instance, false, "Fail the start when the source is missing", check_bool},
        {"size", "string", "", Scope::Instance, false, "Quota of the root disk", check_size},
        {"propagation", "string", "", Scope::Container, false, "Mount propagation of the bind mount", optional(one_of({"private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable"}))},
        {"recursive", "bool", "false", Scope::Container, false, "Bind mount the source's submounts too", check_bool},
    };
    t.check = [](const std::string& name, const api::ConfigMap& d, std::string_view) {
        std::string path = device_value(d, "path");
        // A custom block volume (pool and source) has no path: it is a disk of a VM, not a mount.
        // Whether the volume is a block one is checked against the store (check_custom_volume_devices).
        const bool volume = !device_value(d, "pool").empty() && !device_value(d, "source").empty();
        if (path.empty() && !volume)
            throw Error::invalid("devices." + name + ".path", fmt::format("disk device \"{}\" needs a path", name));
        if (path == "/") {
            if (!device_value(d, "source").empty())
                throw Error::invalid("devices." + name + ".source", fmt::format("the root disk \"{}\" cannot have a source", name));
            return;
        }
        if (!path.empty() && path.front() != '/')
            throw Error::invalid("devices." + name + ".path", fmt::format("disk device \"{}\" path \"{}\" is not absolute", name, path));
        if (device_value(d, "source").empty())
            throw Error::invalid("devices." + name + ".source", fmt::format("disk device \"{}\" needs a source", name));
        if (!device_value(d, "size").empty())
            throw Error::invalid("devices." + name + ".size", fmt::format("disk device \"{}\": only the root disk has a size", name));
        if (!device_value(d, "pool").empty()) {
            // A custom volume: source is its name on the pool (whether it exists is checked
            // against the store where the instance's project is known).
            if (device_value(d, "source").find('/') != std::string::npos)
                throw Error::invalid("devices." + name + ".source",
                                     fmt::format("disk device \"{}\" source \"{}\" is not a custom volume name (with pool set, "
                                                 "source names a volume of the pool)", name, device_value(d, "source")));
            if (!device_value(d, "shift").empty())
                throw Error::invalid("devices." + name + ".shift",
                                     fmt::format("disk device \"{}\": a custom volume is shifted by its own security.shifted "
                                                 "setting, not by shift", name));
            return;
        }
        if (device_value(d, "source").front() != '/')
            throw Error::invalid("devices." + name + ".source",
                                 fmt::format("disk device \"{}\" source \"{}\" is not an absolute host path", name, device_value(d, "source")));
    };
    return t;
}

}  // namespace li::config
