#include "network/network_boot.hpp"

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "network/network_driver.hpp"
#include "store/network_repo.hpp"

namespace li {

void restore_networks(ManagerCore& core) {
    auto networks = core.db().read([](SQLite::Database& db) { return repo::list_all_networks(db); });
    for (auto& network : networks) {
        std::string status = "Created";
        try {
            // Always: a bridge left from earlier in this boot still needs its dnsmasq, which died
            // with the process that ran it.
            network_driver(core, network.type)->start(network);
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
