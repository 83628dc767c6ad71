#include "network/network_boot.hpp"

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "network/network_driver.hpp"
#include "store/network_repo.hpp"

namespace li {

void restore_networks(ManagerCore& core, bool first_since_boot) {
    auto networks = core.db().read([](SQLite::Database& db) { return repo::list_all_networks(db); });
    for (auto& network : networks) {
        std::string status = "Created";
        try {
            auto driver = network_driver(core, network.type);
            if (first_since_boot || network.status != "Created")
                driver->start(network);
            else
                driver->resume(network);
            log::info("network started", {{"network", network.name}});
        } catch (const std::exception& e) {
            log::warn("starting network", {{"network", network.name}, {"error", e.what()}});
            status = "Errored";
        }
        if (status != network.status) {
            network.status = status;
            core.db().transaction([&](SQLite::Database& db) { repo::update_network(db, network); });
        }
    }
}

}  // namespace li
