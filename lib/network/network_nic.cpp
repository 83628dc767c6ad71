#include "network/network_nic.hpp"

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace {

std::string network_of(const api::ConfigMap& device) {
    auto type = device.find("type");
    auto network = device.find("network");
    if (type == device.end() || type->second != "nic" || network == device.end()) return {};
    return network->second;
}

// Networks live in the default project until projects have features.networks.
std::optional<NetworkRecord> find_nic_network(SQLite::Database& db, const std::string& project, const std::string& name) {
    auto found = repo::find_network(db, project, name);
    return found ? found : repo::find_network(db, "default", name);
}

std::optional<NetworkRecord> network_record(ManagerCore& core, const NicUse& nic) {
    std::string name = network_of(nic.config);
    if (name.empty()) return std::nullopt;
    return core.db().read([&](SQLite::Database& db) { return find_nic_network(db, nic.project, name); });
}

}  // namespace

std::string default_nic_hwaddr(const std::string& project, const std::string& instance, const std::string& device) {
    Sha256 h;
    h.update(project + "/" + instance + "/" + device);
    std::string hex = h.hex_digest();
    return fmt::format("00:16:3e:{}:{}:{}", hex.substr(0, 2), hex.substr(2, 2), hex.substr(4, 2));
}

api::DeviceMap resolve_network_nics(ManagerCore& core, const std::string& project, const api::DeviceMap& devices) {
    api::DeviceMap out = devices;
    for (auto& [name, device] : out) {
        std::string wanted = network_of(device);
        if (wanted.empty()) continue;
        auto record = core.db().read([&](SQLite::Database& db) { return find_nic_network(db, project, wanted); });
        if (!record) continue;
        NicPlan plan = network_driver(core, record->type)->prepare_nic(*record, device);
        device["nictype"] = plan.nictype;
        device["parent"] = plan.parent;
        if (!plan.mtu.empty() && !device.count("mtu")) device["mtu"] = plan.mtu;
    }
    return out;
}

void check_network_devices(SQLite::Database& db, const std::string& project, const api::DeviceMap& devices) {
    for (const auto& [name, device] : devices) {
        std::string wanted = network_of(device);
        if (wanted.empty() || find_nic_network(db, project, wanted)) continue;
        throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": network \"{}\" not found", name, wanted),
                    "devices." + name + ".network");
    }
}

void network_nic_started(ManagerCore& core, const NicUse& nic) {
    if (auto record = network_record(core, nic)) network_driver(core, record->type)->start_nic(*record, nic);
}

void network_nic_released(ManagerCore& core, const NicUse& nic) {
    try {
        if (auto record = network_record(core, nic)) network_driver(core, record->type)->release_nic(*record, nic);
    } catch (const std::exception& e) {
        log::warn("releasing a nic from its network",
                  {{"instance", nic.instance}, {"device", nic.device}, {"error", e.what()}});
    }
}

}  // namespace li
