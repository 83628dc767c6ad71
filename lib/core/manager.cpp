#include "client/rest_facades.hpp"
#include "instance/interrupted_operations.hpp"
#include "libinstance/manager.hpp"

#include <cstdlib>

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/server_config.hpp"
#include "instance/instance_boot.hpp"
#include "core/background_jobs.hpp"
#include "instance/snapshot_schedule.hpp"
#include "network/network_boot.hpp"

namespace li {

namespace fs = std::filesystem;

fs::path Manager::default_state_dir() {
    if (const char* env = std::getenv("LIBINSTANCE_DIR"); env && *env) return env;
    return "/var/lib/libinstance";
}

std::shared_ptr<Manager> Manager::open(const fs::path& state_dir) {
    auto core = std::make_shared<ManagerCore>(state_dir.empty() ? default_state_dir() : state_dir);
    auto manager = std::make_shared<Manager>(core);
    // Before anything else uses the volumes: what a killed process left half done is put right.
    finish_interrupted_operations(*core);
    bool booted = false;
    try {
        booted = first_open_since_boot(core->state_dir());
    } catch (const std::exception& e) {
        log::warn("reading the boot id", {{"error", e.what()}});
    }
    // Managed networks before instances: autostarted instances need their bridges.
    try {
        restore_networks(*core, booted);
    } catch (const std::exception& e) {
        log::warn("starting managed networks", {{"error", e.what()}});
    }
    // As LXD at start-up: cached images unused for images.remote_cache_expiry days go. A failure
    // here must not keep the state directory from opening.
    try {
        manager->images().prune_expired();
    } catch (const std::exception& e) {
        log::warn("pruning expired cached images", {{"error", e.what()}});
    }
    // The first open after a host boot starts what should run (LXD's daemon start), in the
    // background so that open() stays fast.
    try {
        if (booted) autostart_instances(core);
    } catch (const std::exception& e) {
        log::warn("autostarting instances", {{"error", e.what()}});
    }
    start_background_jobs(core);
    return manager;
}

Manager::Manager(std::shared_ptr<ManagerCore> core)
    : core_(core), images_(core), instances_(core), operations_(core), events_(core), storage_pools_(core), storage_volumes_(core), remotes_(core), profiles_(core), networks_(core), projects_(core) {}

std::map<std::string, std::string> Manager::config() {
    if (auto rest = core_->rest()) return rest::server_config(rest);
    return server_config(*core_);
}

bool Manager::connected() const { return core_->rest() != nullptr; }

void Manager::shutdown_instances() {
    core_->refuse_remote("shutting instances down");
    li::shutdown_instances(core_, false).get();
}

Operation Manager::shutdown_instances_async() {
    core_->refuse_remote("shutting instances down");
    return li::shutdown_instances(core_, true);
}

std::string Manager::get_config(std::string_view key) {
    if (auto rest = core_->rest()) return rest::server_config_get(rest, key);
    return server_config_get(*core_, key);
}

void Manager::set_config(std::string_view key, std::string_view value) {
    if (auto rest = core_->rest()) return rest::server_config_set(rest, key, value);
    server_config_set(*core_, key, value);
}

void Manager::set_log(const LogOptions& opts) { log::configure_output(log::parse_level(opts.level), opts.file); }

void Manager::set_exec_agent_policy(ExecAgentPolicy policy) {
    core_->refuse_remote("exec agents (Manager::set_exec_agent_policy)");
    core_->set_exec_agent_policy(policy);
}

ExecAgentPolicy Manager::exec_agent_policy() const { return core_->exec_agent_policy(); }

const fs::path& Manager::state_dir() const { return core_->state_dir(); }

}  // namespace li
