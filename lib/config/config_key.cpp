#include "config/config_key.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li::config {

const ConfigKey* find_instance_key(std::string_view key) {
    const ConfigKey* best = nullptr;
    for (const auto& k : instance_keys()) {
        if (k.name == key) return &k;
        bool prefix = k.name.size() > 2 && k.name.compare(k.name.size() - 2, 2, ".*") == 0;
        if (!prefix) continue;
        std::string_view stem(k.name.data(), k.name.size() - 1);  // keeps the dot
        if (key.size() > stem.size() && key.substr(0, stem.size()) == stem && (!best || k.name.size() > best->name.size()))
            best = &k;
    }
    return best;
}

std::string_view scope_name(Scope scope) {
    switch (scope) {
        case Scope::Container: return "container";
        case Scope::VirtualMachine: return "virtual-machine";
        case Scope::Instance: break;
    }
    return "instance";
}

void validate_instance_config(const api::ConfigMap& config, std::string_view type, bool for_profile) {
    for (const auto& [key, value] : config) {
        std::string field = "config." + key;
        if (key.rfind("volatile.", 0) == 0)
            throw Error::invalid(field, fmt::format("configuration key \"{}\" is managed by libinstance and cannot be set", key));
        if (for_profile && key.rfind("image.", 0) == 0)
            throw Error::invalid(field, fmt::format("configuration key \"{}\" cannot be set on a profile", key));
        const ConfigKey* k = find_instance_key(key);
        if (!k) throw Error::invalid(field, fmt::format("unknown configuration key \"{}\"", key));
        bool wrong_type = (k->scope == Scope::Container && type == "virtual-machine") ||
                          (k->scope == Scope::VirtualMachine && type == "container");
        if (wrong_type && !for_profile)
            throw Error::invalid(field, fmt::format("configuration key \"{}\" does not apply to a {}", key, type));
        if (std::string why = k->validate ? k->validate(value) : std::string(); !why.empty())
            throw Error::invalid(field, fmt::format("invalid value \"{}\" for {}: {}", value, key, why));
    }
}

void validate_key_combinations(const api::ConfigMap& expanded) {
    auto value = [&](const char* key) {
        auto it = expanded.find(key);
        return it == expanded.end() ? std::string() : it->second;
    };
    auto exclusive = [&](const char* first, bool first_set, const char* second, bool second_set) {
        if (first_set && second_set)
            throw Error::invalid(std::string("config.") + second,
                                 fmt::format("{} and {} cannot be used together", first, second));
    };
    exclusive("security.privileged", is_true(value("security.privileged")), "security.idmap.isolated",
              is_true(value("security.idmap.isolated")));
    bool allow = !value("security.syscalls.allow").empty();
    exclusive("security.syscalls.allow", allow, "security.syscalls.deny", !value("security.syscalls.deny").empty());
    exclusive("security.syscalls.allow", allow, "security.syscalls.deny_compat", is_true(value("security.syscalls.deny_compat")));
}

}  // namespace li::config
