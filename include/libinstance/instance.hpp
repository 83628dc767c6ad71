#pragma once
// li::Instance: a handle on one container or virtual machine.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/api/instance_snapshot.hpp"
#include "libinstance/backup.hpp"
#include "libinstance/operation.hpp"

namespace li {

class ManagerCore;
class OperationContext;
struct InstanceContext;

/// Options of Instance::start().
struct StartOptions {
    bool stateful = false;  ///< restore a checkpoint (NotSupported for now)
};

/// Options of Instance::stop() and Instance::restart().
struct StopOptions {
    bool force = false;                              ///< kill at once
    std::chrono::seconds timeout{30};                ///< graceful wait before killing
};

/// Options of Instance::remove().
struct DeleteOptions {
    bool force = false;  ///< stop a running instance first
};

/// Options of Instance::exec().
struct ExecOptions {
    std::vector<std::string> env;            ///< "KEY=VALUE" entries added to the default env
    std::string cwd;                          ///< working directory, default /root
    std::optional<std::string> stdin_data;    ///< fed to stdin (when stdin_fd < 0)
    int stdin_fd = -1;                        ///< read stdin from this fd instead
    int stdout_fd = -1;                       ///< write stdout here instead of capturing
    int stderr_fd = -1;                       ///< write stderr here instead of capturing
    uint32_t uid = 0;
    uint32_t gid = 0;
    /// stdin_fd is a terminal (e.g. the slave side of openpty()): the command runs in a new session
    /// with it as its controlling terminal, so ^C, job control and window sizes work as in LXD's
    /// interactive exec. The terminal's size is the caller's to set (TIOCSWINSZ on its master).
    bool terminal = false;
    /// Called once the command runs, with its process id on the host (the number to signal: LXD's
    /// exec control "signal" message); not called when it could not start.
    std::function<void(int pid)> on_started;
    /// Called once the command runs with a function that sends it a signal: kill() of its host
    /// pid for a local instance, LXD's exec control message {"command": "signal"} over a remote
    /// connection (which has no host pid for on_started). The function may be called from any
    /// thread; once exec() returned it does nothing.
    std::function<void(std::function<void(int sig)> send)> on_signal_ready;
};

/// What Instance::exec() returns.
struct ExecResult {
    int exit_code = 0;        ///< exit status, or 128+signal
    std::string stdout_data;  ///< captured stdout (empty when redirected)
    std::string stderr_data;  ///< captured stderr (empty when redirected)
};

/// One path inside an instance, as the file calls see it (LXD's X-LXD-type/uid/gid/mode headers).
struct FileInfo {
    std::string type;                  ///< "file", "directory" or "symlink"
    uint32_t uid = 0;                  ///< owner as seen inside the instance (65534 when unmapped)
    uint32_t gid = 0;
    uint32_t mode = 0;                 ///< permission bits (07777)
    uint64_t size = 0;                 ///< a file's size in bytes
    std::string target;                ///< a symlink's target
    std::vector<std::string> entries;  ///< a directory's entry names, sorted
};

/// Owner, mode and parents of what the file calls create.
struct FileOptions {
    std::optional<uint32_t> uid;   ///< owner inside the instance; default: an existing file's, else 0
    std::optional<uint32_t> gid;
    std::optional<uint32_t> mode;  ///< default: an existing file's, else 0644 (files) or 0755 (directories)
    bool create_parents = false;   ///< create missing parent directories (0755, same owner)
};

/// Options of Instance::console().
struct ConsoleOptions {
    uint32_t width = 0;   ///< terminal columns; 0 leaves the size as it is
    uint32_t height = 0;  ///< terminal rows
};

/// An attached console (move-only). fd() is the master side of a terminal whose other side is the
/// container's /dev/console: read the console's output from it, write keystrokes to it. Detaching
/// (or destroying the object) frees the console for the next client; the container keeps running.
class Console {
public:
    Console() = default;
    /// Takes ownership of the terminal's master side and of the descriptor keeping it allocated;
    /// resize_pid (when > 0) is told of size changes with SIGWINCH (liblxc's monitor).
    Console(int fd, int keep_fd, int resize_pid = -1);
    ~Console();
    Console(Console&& other) noexcept;
    Console& operator=(Console&& other) noexcept;
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    /// The terminal's master side (-1 once detached). Borrowed: detach() closes it.
    int fd() const { return fd_; }
    bool attached() const { return fd_ >= 0; }
    /// Sets the terminal's size: what the console's programs see as their window.
    void resize(uint32_t width, uint32_t height);
    /// Releases the console; idempotent.
    void detach();

private:
    int fd_ = -1;
    int keep_fd_ = -1;
    int resize_pid_ = -1;
};

/// A terminal allocated inside a running instance, from its own /dev/pts, for an interactive
/// exec (move-only): run the command with slave() as its stdin, stdout and stderr and
/// ExecOptions::terminal, close the slave once it runs (release_slave()), then talk to master().
/// Inside, the command's `tty` names a /dev/pts entry of the instance, as with LXD.
class Terminal {
public:
    Terminal() = default;
    Terminal(int master, int slave) : master_(master), slave_(slave) {}
    ~Terminal();
    Terminal(Terminal&& other) noexcept;
    Terminal& operator=(Terminal&& other) noexcept;
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;
    int master() const { return master_; }
    int slave() const { return slave_; }
    /// Sets the size the command sees (it gets SIGWINCH).
    void resize(uint32_t width, uint32_t height);
    /// Closes this process's copy of the slave side: once the command and its children have
    /// closed theirs, reading master() ends.
    void release_slave();
    /// Hands the master side over to the caller, who then closes it.
    int release_master();

private:
    int master_ = -1;
    int slave_ = -1;
};

/// A handle on one instance; cheap to copy, safe to share between threads.
class Instance {
public:
    Instance(std::shared_ptr<ManagerCore> core, std::string project, std::string name);

    const std::string& name() const { return name_; }
    const std::string& project() const { return project_; }

    /// The instance as LXD's api.Instance (without state).
    api::Instance info() const;
    /// Status, init pid, memory and process count.
    api::InstanceState state() const;

    /// Starts a stopped instance; Conflict if running.
    void start(const StartOptions& opts = {});
    Operation start_async(const StartOptions& opts = {});
    /// Stops: halt signal of the init, wait up to the timeout, then kill; Conflict if stopped.
    void stop(const StopOptions& opts = {});
    Operation stop_async(const StopOptions& opts = {});
    /// Stops and starts again.
    void restart(const StopOptions& opts = {});
    Operation restart_async(const StopOptions& opts = {});
    /// Deletes the instance and its storage; Conflict if running without force.
    void remove(const DeleteOptions& opts = {});
    Operation remove_async(const DeleteOptions& opts = {});
    /// Renames the stopped instance (LXD's POST {"name"}, `lxc move c1 c2`) and emits
    /// instance-renamed; this handle follows it. Busy (key "name") while running; AlreadyExists
    /// or InvalidArgument (key "name").
    void rename(std::string_view new_name);
    /// Moves the stopped instance's root volume to another storage pool (`lxc move c1 --storage
    /// P`): a whole copy on the new pool (with its snapshots), recorded in the instance's own root disk device, then
    /// the old volume goes. Busy (key "name") while running; NotFound or InvalidArgument (key
    /// "pool") for an unknown pool or the one it is on. Progress and cancellation through the
    /// operation; nothing changes when it fails.
    void move_to_pool(std::string_view pool);
    Operation move_to_pool_async(std::string_view pool);

    // --- Snapshots (LXD's /1.0/instances/<name>/snapshots, `lxc snapshot` / `lxc restore`) ------
    // Snapshot names: InvalidArgument (key "name") for "", '/', whitespace; NotFound (key
    // "snapshot") for an unknown one. Lifecycle events: instance-snapshot-created, -updated,
    // -renamed, -deleted, instance-restored.

    /// Takes a stateless snapshot of the running or stopped instance: its files (a read-only
    /// btrfs snapshot; on dir a copy of its own overlay layer), config, devices and profiles. An
    /// empty name follows snapshots.pattern (default "snap%d"); no expires_at follows
    /// snapshots.expiry. AlreadyExists (key "name"); NotSupported (key "stateful") for stateful.
    api::InstanceSnapshot snapshot(const api::InstanceSnapshotsPost& post = {});
    Operation snapshot_async(const api::InstanceSnapshotsPost& post = {});
    /// The snapshots, oldest first.
    std::vector<api::InstanceSnapshot> snapshots() const;
    api::InstanceSnapshot get_snapshot(std::string_view name) const;
    /// Changes a snapshot's expiry.
    void update_snapshot(std::string_view name, const api::InstanceSnapshotPut& put);
    /// AlreadyExists or InvalidArgument (key "new_name").
    void rename_snapshot(std::string_view name, std::string_view new_name);
    void delete_snapshot(std::string_view name);
    Operation delete_snapshot_async(std::string_view name);
    /// Makes the instance what the snapshot holds again: files, config (its volatile keys stay the
    /// instance's), devices and profiles (NotFound, key "profiles", when one is gone). A running
    /// instance is stopped, restored and started again. Nothing changes when it fails.
    void restore(std::string_view snapshot);
    Operation restore_async(std::string_view snapshot);

    // --- Backups (`lxc export`; LXD's /1.0/instances/<name>/backups + export) -----------------
    /// Writes the instance (with its snapshots unless opts.instance_only) to one backup file at
    /// target, streamed (never whole in memory); see backup.hpp for the layout. A running
    /// instance is exported as its files are (LXD does the same). The file appears only when
    /// complete (written beside it, then renamed). InvalidArgument (key "compression_algorithm");
    /// NotSupported (key "optimized_storage") off btrfs.
    void export_backup(const std::filesystem::path& target, const BackupExportOptions& opts = {});
    /// export_backup() as an operation (cancellable); progress in metadata
    /// "create_backup_progress" as LXD reports it.
    Operation export_backup_async(const std::filesystem::path& target, const BackupExportOptions& opts = {});

    /// Runs a command inside and waits for it; Conflict if not running.
    ExecResult exec(const std::vector<std::string>& argv, const ExecOptions& opts = {});

    /// Allocates a terminal inside the running instance (Conflict when it is not running).
    Terminal open_terminal(const ConsoleOptions& size = {});
    /// Attaches to the console of a running instance (LXD's console websocket, `lxc console`);
    /// Conflict if not running, Busy when another client holds the console.
    Console console(const ConsoleOptions& opts = {});
    /// The console output kept so far (LXD's GET .../console, `lxc console --show-log`), running
    /// or stopped; "" when nothing was written.
    std::string console_log() const;
    /// Empties the console log (LXD's DELETE .../console).
    void clear_console_log();
    /// The names of the instance's log files (LXD's GET .../logs), e.g. "lxc.log", "console.log".
    std::vector<std::string> log_files() const;
    /// One log file's content (LXD's GET .../logs/NAME); InvalidArgument (key "name") for a name
    /// that is not a plain file name, NotFound when there is no such log.
    std::string log_file(std::string_view name) const;

    // Configuration. Every change is validated as a whole first (InvalidArgument naming
    // "config.<key>" or "devices.<name>[.<key>]" and quoting the value) and changes nothing when
    // refused. On a running instance, live keys and hot-pluggable devices apply at once, the rest
    // at the next start; a change that must apply live and cannot is refused, nothing kept.
    /// Replaces config, devices, profiles, description and ephemeral (LXD's PUT). volatile.* keys
    /// may be sent back unchanged (as info() gave them) and are kept. With if_match, Conflict
    /// unless it equals etag() (someone else changed the instance in between).
    void update(const api::InstancePut& put, std::string_view if_match = {});
    Operation update_async(const api::InstancePut& put, std::string_view if_match = {});
    /// The ETag of the instance's writable configuration, as LXD sends it.
    std::string etag() const;
    /// Sets config keys in one change (an empty value unsets the key), like `lxc config set`.
    void set_config(const api::ConfigMap& values);
    void set_config(std::string_view key, std::string_view value);
    void unset_config(std::string_view key);
    /// A key of the instance's own config (not the expanded one); nullopt when unset.
    std::optional<std::string> get_config(std::string_view key) const;
    /// Adds a device (AlreadyExists when one has that name), or replaces or removes one.
    void add_device(std::string_view name, const api::ConfigMap& device);
    void set_device(std::string_view name, const api::ConfigMap& device);
    void remove_device(std::string_view name);

    // Files, running or stopped. Paths are absolute inside the instance and resolved as if its
    // root were '/': a symlink never leads out of it. Writes go to a temporary file renamed into
    // place; content streams in chunks.
    /// Writes the file at path from fd, read to its end.
    void file_push(std::string_view path, int fd, const FileOptions& opts = {});
    /// Writes the file at path from bytes.
    void file_push_data(std::string_view path, std::string_view data, const FileOptions& opts = {});
    /// Streams a regular file to fd and describes it; a directory lists its entries and a
    /// symlink gives its target (nothing written to fd); NotSupported for device nodes and fifos.
    FileInfo file_pull(std::string_view path, int fd);
    /// Describes path like file_pull() without reading a file's content.
    FileInfo file_stat(std::string_view path);
    /// Removes a file, a symlink or an empty directory.
    void file_delete(std::string_view path);
    /// Creates a directory; AlreadyExists unless create_parents (mkdir -p).
    void file_mkdir(std::string_view path, const FileOptions& opts = {});
    /// Creates a symlink at path pointing to target.
    void file_symlink(std::string_view path, std::string_view target, const FileOptions& opts = {});
    /// Copies a host directory's content into path (created), keeping modes and owners unless
    /// opts set them; symlinks stay symlinks.
    void file_push_tree(const std::filesystem::path& source, std::string_view path, const FileOptions& opts = {});
    /// Copies path (a directory's content, or a file) to the host path target, keeping modes.
    void file_pull_tree(std::string_view path, const std::filesystem::path& target);

private:
    Operation start_async_impl(const StartOptions& opts, bool async);
    Operation stop_async_impl(const StopOptions& opts, bool async);
    Operation restart_async_impl(const StopOptions& opts, bool async);
    Operation remove_async_impl(const DeleteOptions& opts, bool async);
    Operation move_to_pool_impl(std::string_view pool, bool async);
    Operation delete_snapshot_async_impl(std::string_view name, bool async);
    Operation restore_async_impl(std::string_view snapshot, bool async);
    Operation locked_op(const char* description, bool async, std::function<void(ManagerCore&, InstanceContext&)> fn);
    Operation locked_op(const char* description, bool async,
                        std::function<void(ManagerCore&, InstanceContext&, OperationContext&)> fn, bool may_cancel);
    /// Reads the instance's writable config, lets change() edit it, and updates, all under its lock.
    void modify(const std::function<void(api::InstancePut&)>& change);

    std::shared_ptr<ManagerCore> core_;
    std::string project_;
    std::string name_;
};

/// The instances of one Manager, scoped by project.
class InstanceStore {
public:
    explicit InstanceStore(std::shared_ptr<ManagerCore> core);

    /// Creates an instance (and starts it when post.start); nothing is left behind on failure.
    Instance create(std::string_view project, const api::InstancesPost& post);
    /// create() as an operation (cancellable while the image is unpacked and copied); progress in
    /// metadata "create_instance_from_image_unpack_progress", as LXD reports it.
    Operation create_async(std::string_view project, const api::InstancesPost& post);
    /// Looks an instance up; NotFound if there is none.
    Instance get(std::string_view project, std::string_view name);
    /// All instances of a project, with their state when with_state.
    std::vector<api::Instance> list(std::string_view project, bool with_state = false);
    /// Creates an instance from a backup file (`lxc import`): a libinstance or LXD backup,
    /// portable or optimized, with its snapshots, config, devices and profiles (profiles must
    /// exist: NotFound key "profiles"), files with their owners, modes and xattrs. The archive is
    /// hostile input: entries escaping the volume, device nodes outside the rootfs and bombs are
    /// refused with InvalidArgument naming the entry. AlreadyExists (key "name"); NotFound (key
    /// "pool"). Nothing is left behind on failure.
    Instance import_backup(std::string_view project, const std::filesystem::path& file,
                           const BackupImportOptions& opts = {});
    /// import_backup() as an operation (cancellable); metadata "name" once it succeeds, progress
    /// in "create_instance_from_backup_progress".
    Operation import_backup_async(std::string_view project, const std::filesystem::path& file,
                                  const BackupImportOptions& opts = {});

private:
    Operation create_impl(std::string_view project, const api::InstancesPost& post, bool async);

    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
