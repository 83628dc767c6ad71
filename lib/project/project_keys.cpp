// The project keys libinstance applies; an unknown key is refused rather than silently ignored.
#include "project/project_keys.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "network/cidr.hpp"

namespace li::project_keys {

namespace {

using config::Scope;

// "N" or "N-M", comma-separated: the host ids a restricted project may map (raw.idmap).
std::string check_id_ranges(std::string_view value) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t dash = part.find('-');
        std::string_view lo = part.substr(0, dash), hi = dash == std::string_view::npos ? lo : part.substr(dash + 1);
        if (!config::check_uint(lo).empty() || !config::check_uint(hi).empty() || std::stoull(std::string(lo)) > std::stoull(std::string(hi)))
            return fmt::format("\"{}\" is not an id or a range of ids (e.g. 1000 or 1000-1999)", part);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return {};
}

// Comma-separated absolute host paths.
std::string check_paths(std::string_view value) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (part.empty() || part.front() != '/') return fmt::format("\"{}\" is not an absolute path", part);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return {};
}

// "<uplink>:<CIDR>", comma-separated.
std::string check_subnets(std::string_view value) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t colon = part.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return fmt::format("\"{}\" is not in the form <uplink network>:<subnet>", part);
        if (!net::parse_cidr(part.substr(colon + 1)))
            return fmt::format("\"{}\" is not a subnet in CIDR notation", part.substr(colon + 1));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return {};
}

std::vector<config::ConfigKey> build() {
    auto allow_block = config::one_of({"allow", "block"});
    auto allow_block_managed = config::one_of({"allow", "block", "managed"});
    const auto P = Scope::Instance;
    return {
        {"features.images", "bool", "true", P, true, "The project has its own images and aliases (else it uses the default project's)", config::check_bool},
        {"features.networks", "bool", "false", P, true, "The project has its own networks (else it uses the default project's)", config::check_bool},
        {"features.profiles", "bool", "true", P, true, "The project has its own profiles (else it uses the default project's)", config::check_bool},
        {"features.storage.volumes", "bool", "true", P, true, "The project has its own custom volumes (else it uses the default project's)", config::check_bool},

        {"limits.containers", "integer", "", P, true, "Most containers in the project", config::check_uint},
        {"limits.cpu", "integer", "", P, true, "Most CPUs: the sum of the instances' limits.cpu (each must set it; no pinning)", config::check_uint},
        {"limits.disk", "size", "", P, true, "Most disk: the sum of root disk sizes and custom volume sizes (each must set size)", config::check_size},
        {"limits.instances", "integer", "", P, true, "Most instances (containers and virtual machines) in the project", config::check_uint},
        {"limits.memory", "size", "", P, true, "Most memory: the sum of the instances' limits.memory (each must set it, not as a percentage)", config::check_size},
        {"limits.networks", "integer", "", P, true, "Most networks the project may own", config::check_uint},
        {"limits.processes", "integer", "", P, true, "Most processes: the sum of the instances' limits.processes (each must set it)", config::check_uint},
        {"limits.virtual-machines", "integer", "", P, true, "Most virtual machines in the project", config::check_uint},

        {"restricted", "bool", "false", P, true, "Turns the restricted.* keys on", config::check_bool},
        {"restricted.backups", "string", "block", P, true, "allow or block backups (exports) of instances and volumes", allow_block},
        {"restricted.containers.interception", "string", "block", P, true, "allow, block or full: system call interception (security.syscalls.intercept.*)", config::one_of({"allow", "block", "full"})},
        {"restricted.containers.lowlevel", "string", "block", P, true, "allow or block low-level container options (raw.*, security.idmap.base/size, linux.kernel_modules, boot.host_shutdown_timeout, ...)", allow_block},
        {"restricted.containers.nesting", "string", "block", P, true, "allow or block security.nesting=true", allow_block},
        {"restricted.containers.privilege", "string", "unprivileged", P, true, "unprivileged (no security.privileged), isolated (security.idmap.isolated required too) or allow", config::one_of({"allow", "unprivileged", "isolated"})},
        {"restricted.devices.disk", "string", "managed", P, true, "allow, block or managed (only disks backed by a storage pool)", allow_block_managed},
        {"restricted.devices.disk.paths", "string", "", P, true, "With restricted.devices.disk=allow: the host paths (and what is below them) disks may pass in", check_paths},
        {"restricted.devices.gpu", "string", "block", P, true, "allow or block gpu devices", allow_block},
        {"restricted.devices.infiniband", "string", "block", P, true, "allow or block infiniband devices", allow_block},
        {"restricted.devices.nic", "string", "managed", P, true, "allow, block or managed (only nics on a managed network)", allow_block_managed},
        {"restricted.devices.pci", "string", "block", P, true, "allow or block pci devices", allow_block},
        {"restricted.devices.proxy", "string", "block", P, true, "allow or block proxy devices", allow_block},
        {"restricted.devices.unix-block", "string", "block", P, true, "allow or block unix-block devices", allow_block},
        {"restricted.devices.unix-char", "string", "block", P, true, "allow or block unix-char devices", allow_block},
        {"restricted.devices.unix-hotplug", "string", "block", P, true, "allow or block unix-hotplug devices", allow_block},
        {"restricted.devices.usb", "string", "block", P, true, "allow or block usb devices", allow_block},
        {"restricted.idmap.gid", "string", "", P, true, "Host GIDs (N or N-M, comma-separated) raw.idmap may map", check_id_ranges},
        {"restricted.idmap.uid", "string", "", P, true, "Host UIDs (N or N-M, comma-separated) raw.idmap may map", check_id_ranges},
        {"restricted.networks.subnets", "string", "", P, true, "Subnets (<uplink>:<CIDR>, comma-separated) the project's networks may use", check_subnets},
        {"restricted.networks.uplinks", "string", "", P, true, "Host networks (comma-separated) the project's networks may use as parent", config::check_any},
        {"restricted.snapshots", "string", "block", P, true, "allow or block snapshots of instances and volumes", allow_block},
        {"restricted.virtual-machines.lowlevel", "string", "block", P, true, "allow or block low-level virtual machine options (raw.qemu, limits.memory.hugepages, ...)", allow_block},

        {"user.*", "string", "", P, true, "Free-form user data", config::check_any},
    };
}

}  // namespace

const std::vector<config::ConfigKey>& keys() {
    static const std::vector<config::ConfigKey> all = build();
    return all;
}

std::string_view restriction_default(std::string_view key) {
    for (const auto& k : keys())
        if (k.name == key) return k.default_value;
    return {};
}

const std::vector<std::string_view>& feature_keys() {
    static const std::vector<std::string_view> features = {"features.images", "features.profiles", "features.storage.volumes",
                                                           "features.networks"};
    return features;
}

void validate(const api::ConfigMap& config) {
    for (const auto& [key, value] : config) {
        const config::ConfigKey* found = nullptr;
        for (const auto& k : keys())
            if (k.name == key || (k.name.ends_with(".*") && key.starts_with(k.name.substr(0, k.name.size() - 1)))) found = &k;
        if (!found) throw Error::invalid("config." + key, fmt::format("unknown project configuration key \"{}\"", key));
        if (std::string why = found->validate(value); !why.empty())
            throw Error::invalid("config." + key, fmt::format("invalid value \"{}\" for project key \"{}\": {}", value, key, why));
    }
}

}  // namespace li::project_keys
