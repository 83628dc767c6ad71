#include "instance/expand.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

Expanded expand_instance(const std::vector<ProfileRecord>& profiles, const api::ConfigMap& config,
                         const api::DeviceMap& devices) {
    Expanded out;
    auto apply = [&](const api::ConfigMap& c, const api::DeviceMap& d) {
        for (const auto& [k, v] : c) out.config[k] = v;
        for (const auto& [name, dev] : d) out.devices[name] = dev;
    };
    for (const auto& p : profiles) apply(p.config, p.devices);
    apply(config, devices);
    for (auto it = out.devices.begin(); it != out.devices.end();) {
        auto type = it->second.find("type");
        it = type != it->second.end() && type->second == "none" ? out.devices.erase(it) : std::next(it);
    }
    return out;
}

std::string root_disk_pool(const api::DeviceMap& devices) {
    for (const auto& [name, dev] : devices) {
        auto type = dev.find("type");
        auto path = dev.find("path");
        if (type != dev.end() && type->second == "disk" && path != dev.end() && path->second == "/") {
            auto pool = dev.find("pool");
            if (pool == dev.end() || pool->second.empty())
                throw Error::invalid("devices." + name + ".pool", fmt::format("root disk device \"{}\" has no pool", name));
            return pool->second;
        }
    }
    throw Error::invalid("devices", "no root disk device (a disk with path \"/\"); add one or use a profile that has it");
}

}  // namespace li
