#pragma once
// li::Manager: the entry point; one open, exclusively locked state directory.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/event.hpp"
#include "libinstance/image.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/network.hpp"
#include "libinstance/operation.hpp"
#include "libinstance/profile.hpp"
#include "libinstance/project.hpp"
#include "libinstance/recover.hpp"
#include "libinstance/storage.hpp"
#include "libinstance/storage_volume.hpp"
#include "libinstance/remote.hpp"

namespace li {

class ManagerCore;

/// What one pass of the snapshot scheduler did; entries are "project/instance/snapshot".
struct SnapshotScheduleRun {
    std::vector<std::string> taken;   ///< scheduled snapshots taken
    std::vector<std::string> pruned;  ///< expired snapshots deleted
    std::vector<std::string> failed;  ///< "project/instance: why" for snapshots that could not be taken
};

/// An image the auto-update replaced by its server's newer version.
struct ImageAutoUpdateRefresh {
    std::string project;
    std::string old_fingerprint;
    std::string new_fingerprint;
    std::vector<std::string> aliases;  ///< the aliases that now name the new image
};

/// What one look of the image auto-update did.
struct ImageAutoUpdateRun {
    /// Whether a pass ran: false when the interval has not passed since the last one, when
    /// images.auto_update_interval is 0, and on a state directory's first look (which only
    /// starts the clock).
    bool ran = false;
    std::vector<ImageAutoUpdateRefresh> refreshed;  ///< images replaced by a newer version
    std::vector<std::string> failed;                ///< "project/fingerprint: why" for refreshes that failed
};

/// What Manager::init() sets up.
struct InitOptions {
    std::string network_name = "instbr0";  ///< the managed bridge to create; "" for none
    std::string ipv4_address = "auto";     ///< its ipv4.address: a CIDR, "auto" or "none"
    std::string ipv6_address = "auto";     ///< its ipv6.address: a CIDR, "auto" or "none"
};

/// What Manager::init() did.
struct InitResult {
    bool network_created = false;       ///< false when there was one already (or none was asked)
    bool profile_nic_added = false;     ///< false when the default profile had an eth0 already
    std::string network_name;           ///< the network the default profile's eth0 uses ("" for none)
};

/// How Manager::connect reaches a daemon (instanced, or LXD) over the LXD REST API.
struct ConnectOptions {
    /// "https://host[:port]" (port 8443 by default) or "unix:///abs/path/unix.socket".
    std::string url;
    std::string client_certificate;  ///< PEM presented over HTTPS (the server must trust it)
    std::string client_key;          ///< PEM private key of client_certificate
    /// PEM certificate the server must present (pinned: no CA or host name check then); empty:
    /// the system CAs verify it.
    std::string server_certificate;
};

/// How exec reaches a running container (ADR 0011). An exec agent is a small process of ours kept
/// inside the container, attached once through liblxc; the commands of later execs are forked
/// from it and skip liblxc's attach (and its cgroup migration, which waits for a kernel grace
/// period each time). It shows in the container's process list as `li-exec-agent`, and exits
/// when the Manager closes or the container stops.
enum class ExecAgentPolicy {
    Off,       ///< every exec attaches through liblxc (for one-shot programs such as `inst`)
    OnDemand,  ///< the first exec into a container starts its agent (the default)
    AtStart,   ///< also started right after a container starts (long-lived programs: instanced)
};

/// An open state directory (embedded), or a connection to a daemon (connect()). Handles it gives
/// out keep it alive.
class Manager {
public:
    /// Opens (creating on first use) a state directory; Busy if another process has it.
    /// An empty path means $LIBINSTANCE_DIR, else /var/lib/libinstance.
    static std::shared_ptr<Manager> open(const std::filesystem::path& state_dir = {});
    /// The state directory open() would use for an empty path.
    static std::filesystem::path default_state_dir();

    /// Connects to a daemon: every facade call of the Manager returned becomes REST calls to it
    /// (lxc's model). GETs /1.0 first: PermissionDenied (key "client_certificate") when the server
    /// does not trust this client, Backend when it cannot be reached. Calls without a REST
    /// mapping yet throw NotSupported ("... is not supported over a remote connection yet"; see
    /// docs/design/0009-remote-manager.md for what is mapped).
    static std::shared_ptr<Manager> connect(const ConnectOptions& opts);
    /// Whether this Manager speaks to a daemon (connect()) rather than a state directory.
    bool connected() const;

    explicit Manager(std::shared_ptr<ManagerCore> core);

    /// The state directory; empty for a connected Manager.
    const std::filesystem::path& state_dir() const;
    ImageStore& images() { return images_; }
    InstanceStore& instances() { return instances_; }
    OperationStore& operations() { return operations_; }
    EventBus& events() { return events_; }
    /// The storage pools of this state directory.
    StoragePoolStore& storage_pools() { return storage_pools_; }
    /// The volumes on those pools (custom, container and image), by project.
    StorageVolumeStore& storage_volumes() { return storage_volumes_; }
    /// The image servers (lxc's remotes) known to this state directory.
    RemoteStore& remotes() { return remotes_; }
    /// The profiles of this state directory, by project.
    ProfileStore& profiles() { return profiles_; }
    /// The managed networks of this state directory (and the host's other interfaces).
    NetworkStore& networks() { return networks_; }
    /// The projects of this state directory (the other stores take a project explicitly).
    ProjectStore& projects() { return projects_; }
    /// Where the library's log records go (they are also logging events). The output is
    /// process-wide: every Manager in the process shares it. InvalidArgument (key "level") for an
    /// unknown level; a file that cannot be opened fails with its errno's code.
    void set_log(const LogOptions& opts);
    /// How this Manager's execs reach running containers (see ExecAgentPolicy). Switching to Off
    /// stops the agents already running. Local only: NotSupported on a connected Manager.
    void set_exec_agent_policy(ExecAgentPolicy policy);
    ExecAgentPolicy exec_agent_policy() const;

    /// Stops every running instance as a host shutdown does (LXD's `lxd shutdown`): higher
    /// boot.stop.priority first (one priority's instances together), each given
    /// boot.host_shutdown_timeout seconds (default 30) to halt cleanly before it is killed. They
    /// stay marked as running, so the first open after the next host boot starts them again (as
    /// it starts those with boot.autostart=true, by boot.autostart.priority, waiting
    /// boot.autostart.delay seconds after each). Backend naming the instances that failed.
    void shutdown_instances();
    Operation shutdown_instances_async();

    /// The state directory's settings that are set (LXD's server config), e.g.
    /// {"images.remote_cache_expiry": "5"}.
    std::map<std::string, std::string> config();
    /// One setting's value, or its default when unset. Keys: images.remote_cache_expiry (days an
    /// unused cached image is kept, default 10), images.unpack_max_ratio (default 100) and
    /// images.unpack_max_size (default 64GiB), the decompression-bomb limits of image imports,
    /// images.auto_update_interval (hours between refreshes of auto_update images, default 6,
    /// 0: never) and images.auto_update_cached (whether cached images are auto-updated too,
    /// default true; see run_image_auto_update). InvalidArgument naming the key when unknown.
    std::string get_config(std::string_view key);
    /// Sets a setting (an empty value unsets it). InvalidArgument naming the key for an unknown
    /// key or a bad value.
    void set_config(std::string_view key, std::string_view value);

    /// One pass of the snapshot scheduler, as of now: every instance whose snapshots.schedule
    /// (cron "M H DoM Mon DoW", comma-separated lists of them, or @hourly, @daily, @midnight,
    /// @weekly, @monthly, @annually, @yearly) falls on now's minute gets a snapshot named by
    /// snapshots.pattern, expiring by snapshots.expiry (stopped instances only when
    /// snapshots.schedule.stopped=true); then every snapshot whose expires_at has passed is
    /// deleted. A minute's slot is taken at most once per instance, whoever runs it (the slot is
    /// recorded in the database first). The manager runs this itself at every minute from open()
    /// until it is destroyed, on a thread of its own (not when $LIBINSTANCE_SNAPSHOT_SCHEDULER or
    /// $LIBINSTANCE_BACKGROUND_JOBS is "0" at open: then neither this nor the image auto-update
    /// runs); callers driving their own clock (tests, the daemon) may call it with another now.
    /// Schedules are read in the local time zone (TZ), as LXD does; scheduled snapshots
    /// expire counting from their minute.
    SnapshotScheduleRun run_snapshot_schedule(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

    /// One look of the image auto-update, as of now (LXD's periodic image refresh): when
    /// images.auto_update_interval hours (default 6; 0: never) have passed since the last pass
    /// recorded in the state directory (whichever process ran it), refreshes every image with
    /// auto_update set that came from an image server, in every project, as ImageStore::refresh
    /// does (image-refreshed events); cached images only while images.auto_update_cached is
    /// true. The first look at a state directory only starts the clock. An image that fails is
    /// logged as a warning and the others go on. The manager runs this at every minute on the
    /// snapshot scheduler's thread (so not when $LIBINSTANCE_SNAPSHOT_SCHEDULER or
    /// $LIBINSTANCE_BACKGROUND_JOBS is "0" at open); callers with their own clock may call it.
    /// Returns whether the pass ran, what it replaced and what failed (up-to-date images are in
    /// neither list).
    ImageAutoUpdateRun run_image_auto_update(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

    /// The first-use set-up (LXD's `lxd init --auto`): a managed bridge opts.network_name (none
    /// when empty) with ipv4.address/ipv6.address as opts says and NAT on, and an `eth0` nic on it
    /// in the default profile (`{"type": "nic", "network": NAME, "name": "eth0"}`). Idempotent: an
    /// existing managed network of that name is used as it is, and a default profile that already
    /// has an eth0 device keeps it. The default pool and profile always exist already.
    /// InvalidArgument naming "network_name" or "ipv4_address"/"ipv6_address" for bad values
    /// (nothing is changed then); AlreadyExists (key "network_name") when a host interface that
    /// libinstance does not manage has the name.
    InitResult init(const InitOptions& opts = {});

    // --- Disaster recovery (`lxd recover`) --------------------------------------------------
    /// Scans the known pools, those found under the state directory and opts.pools for volumes
    /// the database does not know, and what importing them would need. Changes nothing.
    RecoverResult recover_validate(const RecoverOptions& opts = {});
    /// Scans as recover_validate() does, then recreates the records of the unknown pools and of
    /// every unknown instance (with its snapshots) and custom volume (with its snapshots) from
    /// the backup.yaml each keeps on its volume. Refuses (InvalidArgument, key "dependencies")
    /// while dependency errors remain; returns what it imported.
    RecoverResult recover_import(const RecoverOptions& opts = {});

private:
    std::shared_ptr<ManagerCore> core_;
    ImageStore images_;
    InstanceStore instances_;
    OperationStore operations_;
    EventBus events_;
    StoragePoolStore storage_pools_;
    StorageVolumeStore storage_volumes_;
    RemoteStore remotes_;
    ProfileStore profiles_;
    NetworkStore networks_;
    ProjectStore projects_;
};

}  // namespace li
