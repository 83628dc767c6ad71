#pragma once
// dnsmasq for managed bridges: static DHCP reservations (one file per instance NIC in
// dnsmasq.hosts/), the lease list, and a supervisor that runs one dnsmasq per network and starts
// it again when it dies. The arguments come from dnsmasq_config.hpp.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include "libinstance/api/network.hpp"
#include "network/dnsmasq_config.hpp"

namespace li::net {

/// One instance NIC's DHCP entry on a network.
struct StaticHost {
    std::string instance;         ///< instance name (the file name and, with register_name, the DNS name)
    std::string device = "eth0";  ///< the nic device's name
    std::string hwaddr;           ///< MAC, "00:16:3e:..."
    std::string ipv4;             ///< reserved ipv4.address, or empty for a dynamic one
    std::string ipv6;             ///< reserved ipv6.address, or empty
    /// dns.mode=managed: dnsmasq gives the lease the instance's name (so NAME.<dns.domain>
    /// resolves); dns.mode=dynamic: the name the client sends is used.
    bool register_name = true;
    /// Its project: outside `default` the file is PROJECT_INSTANCE.DEVICE and the DNS name
    /// INSTANCE.PROJECT (LXD's), so same-named instances of two projects share a network.
    std::string project = "default";
};

/// Writes (atomically) hosts_dir/<instance>.<device>, or removes it when the entry would say
/// nothing beyond the MAC. dnsmasq reads new files by itself (inotify); a changed or removed entry
/// only takes effect after DnsmasqSupervisor::reload() (dnsmasq only adds hostsdir entries).
void set_static_host(const std::filesystem::path& hosts_dir, const StaticHost& host);
/// Removes an instance NIC's entry; missing is fine. Follow with reload().
void remove_static_host(const std::filesystem::path& hosts_dir, const std::string& instance,
                        const std::string& device,
                        const std::string& project = "default");

/// The leases of a network: reservations with an address from dnsmasq.hosts/ (type "static",
/// hostname = instance name), then dnsmasq.leases' entries not equal to one of them (type
/// "dynamic"; hostname = the instance whose MAC it is, else the name the client sent).
/// dir is the network's directory (DnsmasqConfig::dir); missing files give no entries.
std::vector<api::NetworkLease> read_leases(const std::filesystem::path& dir);

/// Runs dnsmasq for networks and keeps it running: one watcher thread (made with the object)
/// waits on every dnsmasq through a pidfd and starts one that died again after 1 s, doubling up
/// to 30 s while it keeps dying. dnsmasq runs in the network namespace of the thread that
/// constructed the supervisor. It never outlives its owner, not even a crashed one: its parent
/// is a small guardian process that stops it when the watcher thread ends (PR_SET_PDEATHSIG;
/// dnsmasq cannot hold that itself since dropping root clears it). The owner is whoever holds
/// the state directory (one per state directory); destroying it stops every dnsmasq it started.
/// Calls for different networks may run concurrently; calls for one network must not.
class DnsmasqSupervisor {
public:
    /// binary: the dnsmasq program (looked up in PATH).
    explicit DnsmasqSupervisor(std::string binary = "dnsmasq");
    ~DnsmasqSupervisor();
    DnsmasqSupervisor(const DnsmasqSupervisor&) = delete;
    DnsmasqSupervisor& operator=(const DnsmasqSupervisor&) = delete;

    /// Starts dnsmasq for config.network, or restarts it with a new config: creates config.dir
    /// and dnsmasq.hosts/, writes dnsmasq.raw, and waits half a second to see it stay up. Nothing
    /// happens when it runs with this config already. A dnsmasq recorded in dnsmasq.pid (left
    /// running by detach(), or by a crashed owner's guardian) is adopted when it runs this very
    /// config (it is watched and restarted as one of ours), else killed first. Backend error with dnsmasq's own message (e.g.
    /// a bad raw.dnsmasq line, an address in use) when it exits at once; nothing is left then.
    void start(const DnsmasqConfig& config);
    /// Lets a network's dnsmasq run on without this supervisor (its guardian lets go); its pid
    /// file stays, so the next owner's start() adopts it. Idempotent.
    void detach(const std::string& network);
    /// At the owner's close: detaches the running dnsmasq processes keep_running says to keep
    /// (e.g. bridges with instances on them), stops the others.
    void release_all(const std::function<bool(const DnsmasqConfig&)>& keep_running);
    /// Stops a network's dnsmasq (SIGTERM, SIGKILL after 5 s) and forgets it; idempotent.
    void stop(const std::string& network);
    /// Makes dnsmasq reread dnsmasq.hosts/ (SIGHUP); nothing when it is not running.
    void reload(const std::string& network);
    /// Whether the network's dnsmasq is alive now (false while a restart is pending).
    bool running(const std::string& network) const;
    /// The pid of the network's dnsmasq, 0 when none runs.
    pid_t pid(const std::string& network) const;
    /// How many times the network's dnsmasq was started again after dying.
    int restarts(const std::string& network) const;
    /// Stops every dnsmasq (also done by the destructor).
    void stop_all();

private:
    bool adopt(const DnsmasqConfig& config, const std::vector<std::string>& argv, pid_t pid);

    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace li::net
