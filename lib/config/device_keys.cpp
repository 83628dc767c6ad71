#include "config/device_keys.hpp"

#include <fmt/format.h>

#include "core/names.hpp"
#include "libinstance/error.hpp"

namespace li::config {

const DeviceType* find_device_type(std::string_view type) {
    for (const auto& t : device_types())
        if (t.type == type) return &t;
    return nullptr;
}

std::string device_value(const api::ConfigMap& device, const std::string& key, const std::string& fallback) {
    auto it = device.find(key);
    return it == device.end() ? fallback : it->second;
}

void validate_devices(const api::DeviceMap& devices, std::string_view instance_type, bool for_profile) {
    for (const auto& [name, device] : devices) {
        std::string field = "devices." + name;
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." || name.size() > 64)
            throw Error::invalid(field, fmt::format("invalid device name \"{}\"", name));
        auto type_it = device.find("type");
        if (type_it == device.end() || type_it->second.empty())
            throw Error::invalid(field + ".type", fmt::format("device \"{}\" has no type", name));
        const DeviceType* type = find_device_type(type_it->second);
        if (!type)
            throw Error::invalid(field + ".type", fmt::format("device \"{}\" has unknown type \"{}\"", name, type_it->second));
        for (const auto& [key, value] : device) {
            if (key == "type") continue;
            const ConfigKey* k = nullptr;
            for (const auto& candidate : type->keys)
                if (candidate.name == key) k = &candidate;
            if (!k)
                throw Error::invalid(field + "." + key,
                                     fmt::format("unknown key \"{}\" for {} device \"{}\"", key, type->type, name));
            if (std::string why = k->validate ? k->validate(value) : std::string(); !why.empty())
                throw Error::invalid(field + "." + key, fmt::format("invalid value \"{}\" for {} of device \"{}\": {}", value, key, name, why));
        }
        if (type->check) type->check(name, device, for_profile ? std::string_view() : instance_type);
    }
}

}  // namespace li::config
