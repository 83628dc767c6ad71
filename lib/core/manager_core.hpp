#pragma once
// li::ManagerCore: what every facade shares — the state directory, its lock, the store, the
// storage pools and the instance driver. Kept alive by the Manager and every handle.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/event_hub.hpp"
#include "libinstance/manager.hpp"
#include "core/object_locks.hpp"
#include "core/operations.hpp"
#include "core/state_dir_lock.hpp"
#include "store/db.hpp"
#include "storage/storage_driver.hpp"
#include "sys/idmap.hpp"

namespace li {

class DeferredCleanups;
class ExecAgents;
class InstanceDriver;
class MinuteTicker;
class RestTransport;
namespace net {
class DnsmasqSupervisor;
}

class ManagerCore {
public:
    /// Opens the state directory: creates it, takes the lock, migrates the store, creates the
    /// defaults (storage pool `default` on `dir`, profile `default`) and mounts the pools.
    explicit ManagerCore(const std::filesystem::path& state_dir);
    /// A connected core (Manager::connect): no state directory, store or lock; the facades send
    /// what they are asked to the server over `rest` (lib/client/).
    struct Connected {};
    ManagerCore(Connected, std::shared_ptr<RestTransport> rest);
    ~ManagerCore();

    /// The server a connected core speaks to; null for an embedded one. Facade methods start
    /// with `if (auto rest = core_->rest()) return rest_xxx(...);`.
    const std::shared_ptr<RestTransport>& rest() const { return rest_; }
    /// Throws NotSupported ("<what> is not supported over a remote connection yet") when connected.
    void refuse_remote(std::string_view what) const;

    const std::filesystem::path& state_dir() const { return state_dir_; }
    std::filesystem::path images_dir() const { return state_dir_ / "images"; }
    std::filesystem::path pools_dir() const { return state_dir_ / "storage-pools"; }
    std::filesystem::path lxc_dir() const { return state_dir_ / "containers"; }
    std::filesystem::path logs_dir() const { return state_dir_ / "logs"; }
    std::filesystem::path disks_dir() const { return state_dir_ / "disks"; }
    /// Where each managed network keeps its files (dnsmasq's config, leases, hosts).
    std::filesystem::path networks_dir() const { return state_dir_ / "networks"; }

    /// Internal error on a connected core (a facade forgot its REST mapping or refusal).
    Db& db();
    ObjectLocks& locks() { return locks_; }
    EventHub& events() { return *events_; }
    OperationRegistry& operations() { return operations_; }
    /// The driver of a storage pool; NotFound if there is no such pool.
    StorageDriver& pool(const std::string& name);
    std::vector<std::string> pool_names();
    /// What a pool's driver is given (its mount directory, the disks directory, its config).
    StoragePoolParams pool_params(const std::string& name, const std::map<std::string, std::string>& config) const;
    /// Registers a newly created pool's driver; unregisters one being deleted (returned).
    void add_pool(const std::string& name, std::unique_ptr<StorageDriver> driver);
    std::unique_ptr<StorageDriver> take_pool(const std::string& name);
    InstanceDriver& instance_driver(const std::string& type);
    const IdMap& idmap() const { return idmap_; }
    /// The dnsmasq processes of the managed bridges, made on first use (in the network namespace
    /// of that thread); they stop when the core goes.
    net::DnsmasqSupervisor& dnsmasq();
    /// Keeps the minute tick's thread (core/background_jobs.hpp: scheduled snapshots and image
    /// auto-update), stopped first when the core goes.
    void set_snapshot_scheduler(std::unique_ptr<MinuteTicker> ticker);
    /// Cleanups left to run after their operation ended (Intent::set_aside).
    DeferredCleanups& deferred_cleanups();
    /// How exec reaches running containers (Manager::set_exec_agent_policy).
    ExecAgentPolicy exec_agent_policy() const { return exec_agent_policy_.load(); }
    /// Off also drops the agents running.
    void set_exec_agent_policy(ExecAgentPolicy policy);
    /// The exec agents of the running containers; null when the policy is Off.
    std::shared_ptr<ExecAgents> exec_agents();

private:
    void create_defaults();
    void mount_pools();

    // The hub outlives everything that publishes into it (declared first, destroyed last, and
    // shared with operations that may end after this core).
    std::shared_ptr<EventHub> events_ = std::make_shared<EventHub>();
    OperationRegistry operations_{events_};
    std::filesystem::path state_dir_;
    // Absent on a connected core.
    std::optional<StateDirLock> lock_;
    std::optional<Db> db_;
    std::shared_ptr<RestTransport> rest_;
    ObjectLocks locks_;
    IdMap idmap_;
    std::atomic<ExecAgentPolicy> exec_agent_policy_{ExecAgentPolicy::OnDemand};
    std::mutex exec_agents_mutex_;
    std::shared_ptr<ExecAgents> exec_agents_;
    std::mutex pools_mutex_;
    std::map<std::string, std::unique_ptr<StorageDriver>> pools_;
    std::unique_ptr<InstanceDriver> lxc_driver_;
    std::unique_ptr<InstanceDriver> qemu_driver_;
    std::mutex dnsmasq_mutex_;
    std::unique_ptr<net::DnsmasqSupervisor> dnsmasq_;
    std::mutex deferred_cleanups_mutex_;
    std::unique_ptr<DeferredCleanups> deferred_cleanups_;  // before the pools and store it uses go
    // Last: destroyed first, so no pass runs while the rest goes.
    std::unique_ptr<MinuteTicker> snapshot_scheduler_;
};

/// The libinstance-helper executable to run ($LIBINSTANCE_HELPER, beside the library, the build
/// tree, then libexec). Throws NotFound when none exists.
std::filesystem::path helper_path();

/// The static libinstance-vm-agent executable copied into VM guest images ($LIBINSTANCE_VM_AGENT,
/// beside the library, the build tree, then libexec). Throws NotFound when none exists.
std::filesystem::path vm_agent_path();

}  // namespace li
