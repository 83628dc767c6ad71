#include "network/network_nic.hpp"

#include "core/manager_core.hpp"
#include "network/network_driver.hpp"
#include "store/network_repo.hpp"

namespace li {

api::DeviceMap resolve_network_nics(ManagerCore& core, const std::string& project, const api::DeviceMap& devices) {
    api::DeviceMap out = devices;
    for (auto& [name, device] : out) {
        auto type = device.find("type");
        auto network = device.find("network");
        if (type == device.end() || type->second != "nic" || network == device.end() || network->second.empty()) continue;
        std::string wanted = network->second;
        // Networks live in the default project until projects have features.networks.
        auto record = core.db().read([&](SQLite::Database& db) {
            auto found = repo::find_network(db, project, wanted);
            return found ? found : repo::find_network(db, "default", wanted);
        });
        if (!record) continue;
        NicPlan plan = network_driver(core, record->type)->prepare_nic(*record, device);
        device["nictype"] = plan.nictype;
        device["parent"] = plan.parent;
        if (!plan.mtu.empty() && !device.count("mtu")) device["mtu"] = plan.mtu;
    }
    return out;
}

}  // namespace li
