#include "core/manager_core.hpp"
#include "core/deferred_cleanups.hpp"
#include "instance/drivers/lxc/exec_agents.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "backup/pool_marker.hpp"
#include "client/rest_transport.hpp"
#include "instance/instance_driver.hpp"
#include "core/log.hpp"
#include "core/minute_ticker.hpp"
#include "libinstance/error.hpp"
#include "network/dnsmasq.hpp"
#include "network/link_state.hpp"
#include "store/profile_repo.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

fs::path prepare_state_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::System, fmt::format("creating state directory {}: {}", dir.string(), ec.message()),
                        "state_dir", ec.value());
    // Unprivileged containers' root must traverse into their rootfs below here.
    ::chmod(dir.c_str(), 0711);
    return fs::canonical(dir);
}

fs::path make_dir(const fs::path& dir, mode_t mode) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::System, fmt::format("creating {}: {}", dir.string(), ec.message()), {}, ec.value());
    ::chmod(dir.c_str(), mode);
    return dir;
}

}  // namespace

ManagerCore::ManagerCore(const fs::path& state_dir)
    : state_dir_(prepare_state_dir(state_dir)),
      lock_(std::in_place, state_dir_),
      db_((make_dir(state_dir_ / "database", 0700), std::in_place), state_dir_ / "database" / "local.db"),
      idmap_(host_idmap()) {
    make_dir(images_dir(), 0700);
    make_dir(pools_dir(), 0711);
    make_dir(lxc_dir(), 0711);
    make_dir(logs_dir(), 0700);
    create_defaults();
    mount_pools();
    // Pools made before pools described themselves get their description now.
    for (const auto& name : pool_names()) backup::write_pool_marker(*this, name);
    lxc_driver_ = make_lxc_driver(*this);
    qemu_driver_ = make_qemu_driver(*this);
}

ManagerCore::ManagerCore(Connected, std::shared_ptr<RestTransport> rest) : rest_(std::move(rest)) {}

Db& ManagerCore::db() {
    if (!db_) throw Error(ErrorCode::Internal, "a connected manager has no local store (this call has no REST mapping)");
    return *db_;
}

void ManagerCore::refuse_remote(std::string_view what) const {
    if (rest_) throw Error(ErrorCode::NotSupported, fmt::format("{} is not supported over a remote connection yet", what));
}

ManagerCore::~ManagerCore() {
    if (!dnsmasq_) return;
    // A bridge with instances on it keeps its dnsmasq after this owner goes (a short `inst`
    // command must not take DHCP and DNS from the containers it started); the next owner adopts
    // it. The others stop, leaving nothing of ours running.
    try {
        dnsmasq_->release_all([](const net::DnsmasqConfig& config) {
            try {
                return bridge_has_ports(config.bridge);
            } catch (const std::exception&) {
                return false;
            }
        });
    } catch (const std::exception& e) {
        log::warn("releasing dnsmasq processes", {{"error", e.what()}});
    }
}

net::DnsmasqSupervisor& ManagerCore::dnsmasq() {
    std::lock_guard lock(dnsmasq_mutex_);
    if (!dnsmasq_) dnsmasq_ = std::make_unique<net::DnsmasqSupervisor>();
    return *dnsmasq_;
}

void ManagerCore::set_snapshot_scheduler(std::unique_ptr<MinuteTicker> ticker) { snapshot_scheduler_ = std::move(ticker); }

void ManagerCore::create_defaults() {
    // Like `lxd init --auto`: a `dir` pool named default and a profile giving instances a root disk on it.
    db_->transaction([&](SQLite::Database& db) {
        if (!repo::find_pool(db, "default")) {
            PoolRecord pool;
            pool.name = "default";
            pool.driver = "dir";
            pool.config["source"] = (pools_dir() / "default").string();
            repo::insert_pool(db, pool);
        }
        if (!repo::find_profile(db, "default", "default")) {
            ProfileRecord profile;
            profile.project = "default";
            profile.name = "default";
            profile.description = "Default libinstance profile";
            profile.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", "default"}};
            repo::insert_profile(db, profile);
        }
    });
}

void ManagerCore::mount_pools() {
    auto pools = db_->read([](SQLite::Database& db) { return repo::list_pools(db); });
    std::lock_guard lock(pools_mutex_);
    for (const auto& p : pools) {
        // A pool that cannot be mounted (e.g. its loop file is gone) must not keep the others away.
        try {
            auto driver = make_storage_driver(p.driver, pool_params(p.name, p.config));
            driver->mount_pool();
            pools_[p.name] = std::move(driver);
        } catch (const Error& e) {
            log::error("storage pool unavailable", {{"pool", p.name}, {"error", e.what()}});
        }
    }
}

StoragePoolParams ManagerCore::pool_params(const std::string& name, const std::map<std::string, std::string>& config) const {
    return StoragePoolParams{name, pools_dir() / name, disks_dir(), config};
}

void ManagerCore::add_pool(const std::string& name, std::unique_ptr<StorageDriver> driver) {
    std::lock_guard lock(pools_mutex_);
    pools_[name] = std::move(driver);
}

std::unique_ptr<StorageDriver> ManagerCore::take_pool(const std::string& name) {
    // A volume of the pool may still be going in the background: let it go first.
    deferred_cleanups().drain();
    std::lock_guard lock(pools_mutex_);
    auto it = pools_.find(name);
    if (it == pools_.end()) return nullptr;
    auto driver = std::move(it->second);
    pools_.erase(it);
    return driver;
}

StorageDriver& ManagerCore::pool(const std::string& name) {
    std::lock_guard lock(pools_mutex_);
    auto it = pools_.find(name);
    if (it == pools_.end()) throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", name), "pool");
    return *it->second;
}

std::vector<std::string> ManagerCore::pool_names() {
    std::lock_guard lock(pools_mutex_);
    std::vector<std::string> names;
    for (const auto& [name, driver] : pools_) names.push_back(name);
    return names;
}

InstanceDriver& ManagerCore::instance_driver(const std::string& type) {
    if (type == "container") return *lxc_driver_;
    if (type == "virtual-machine") return *qemu_driver_;
    throw Error::invalid("type", fmt::format("unknown instance type \"{}\" (container or virtual-machine)", type));
}

namespace {

// One search for the executables we ship beside the library: $<env_var>, beside the shared object
// (or program) holding this code (how installed wheels find them), the build tree, then libexec.
fs::path find_shipped_executable(const char* env_var, const char* name, const char* build_path,
                                 const char* install_path, const char* key) {
    if (const char* env = std::getenv(env_var); env && *env) return env;
    std::error_code ec;
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&helper_path), &info) && info.dli_fname) {
        fs::path dir = fs::path(info.dli_fname).parent_path();
        for (const fs::path& candidate : {dir / name, dir / "libexec" / name}) {
            if (fs::exists(candidate, ec)) return candidate;
        }
    }
    for (const char* candidate : {build_path, install_path}) {
        if (fs::exists(candidate, ec)) return candidate;
    }
    throw Error(ErrorCode::NotFound, fmt::format("{} not found (set {} to its path)", name, env_var), key);
}

}  // namespace

fs::path helper_path() {
    return find_shipped_executable("LIBINSTANCE_HELPER", "libinstance-helper", LI_HELPER_BUILD_PATH,
                                   LI_HELPER_INSTALL_PATH, "helper");
}

fs::path vm_agent_path() {
    return find_shipped_executable("LIBINSTANCE_VM_AGENT", "libinstance-vm-agent", LI_VM_AGENT_BUILD_PATH,
                                   LI_VM_AGENT_INSTALL_PATH, "vm_agent");
}

DeferredCleanups& ManagerCore::deferred_cleanups() {
    std::lock_guard lock(deferred_cleanups_mutex_);
    if (!deferred_cleanups_) deferred_cleanups_ = std::make_unique<DeferredCleanups>(*this);
    return *deferred_cleanups_;
}

void ManagerCore::set_exec_agent_policy(ExecAgentPolicy policy) {
    exec_agent_policy_.store(policy);
    if (policy != ExecAgentPolicy::Off) return;
    std::lock_guard lock(exec_agents_mutex_);
    exec_agents_.reset();  // their sockets close: the agents exit
}

std::shared_ptr<ExecAgents> ManagerCore::exec_agents() {
    if (exec_agent_policy() == ExecAgentPolicy::Off || rest_) return nullptr;
    std::lock_guard lock(exec_agents_mutex_);
    if (!exec_agents_) exec_agents_ = std::make_shared<ExecAgents>(helper_path(), lxc_dir());
    return exec_agents_;
}

}  // namespace li
