// Copies and moves of an instance to another Manager, relayed through a backup (ADR 0013): the
// source exports it into a private temporary file, the config in it is made the copy's, the
// target imports it. Both ends are public API calls, so embedded and connected Managers mix.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "backup/backup_rewrite.hpp"
#include "core/operation_state.hpp"
#include "libinstance/cross_copy.hpp"
#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr auto kPoll = std::chrono::milliseconds(200);

// As a local copy (instance_copy.cpp): the keys that belong to the source, not to a copy — its
// MAC addresses, host-side names, uuids, idmaps and power state. volatile.base_image stays, and
// so does volatile.last_state.idmap: the import reads it to shift files an LXD source shifted on
// disk back, then resets it.
bool identifies_original(const std::string& key) {
    return key.starts_with("volatile.") && key != "volatile.base_image" && key != "volatile.last_state.idmap";
}

template <typename Map>
void drop_original_keys(Map& config) {
    std::erase_if(config, [](const auto& kv) { return identifies_original(kv.first); });
}

// The backup's config made the copy's: what `lxc copy` sends as the new instance's config.
void make_copy_config(backup::Config& config, const CrossCopyOptions& opts, bool ephemeral) {
    api::Instance& instance = *config.instance;
    drop_original_keys(instance.config);
    for (const auto& [k, v] : opts.config) instance.config[k] = v;
    for (const auto& [name, device] : opts.devices) instance.devices[name] = device;
    if (opts.profiles) instance.profiles = *opts.profiles;
    instance.ephemeral = ephemeral;
    for (auto& snapshot : config.snapshots) drop_original_keys(snapshot.config);
    if (config.volume) std::erase_if(config.volume->config, [](const auto& kv) { return kv.first.starts_with("volatile."); });
    for (auto& snapshot : config.volume_snapshots)
        std::erase_if(snapshot.config, [](const auto& kv) { return kv.first.starts_with("volatile."); });
}

// A directory only this user can enter, removed with everything in it on every path.
class PrivateTempDir {
public:
    PrivateTempDir() {
        std::string pattern = (fs::temp_directory_path() / "libinstance-copy-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw Error::from_errno(fmt::format("creating a temporary directory like {}", pattern), errno);
        path_ = pattern;  // mkdtemp makes it 0700
    }
    ~PrivateTempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    PrivateTempDir(const PrivateTempDir&) = delete;
    PrivateTempDir& operator=(const PrivateTempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// The file a step writes in the private directory is the user's alone (0600), whatever the umask.
void make_private(const fs::path& file) {
    if (::chmod(file.c_str(), 0600) != 0) throw Error::from_errno(fmt::format("chmod 0600 {}", file.string()), errno);
}

// Shows the first *_progress value of one step as the copy's own "copy_progress".
void forward_progress(OperationState& outer, const std::string& label, const api::Operation& inner) {
    for (const auto& [key, value] : inner.metadata)
        if (key.ends_with("_progress")) {
            outer.set_metadata("copy_progress", fmt::format("{}: {}", label, value));
            return;
        }
}

// Runs one step (an operation of either Manager) to its end inside outer: its progress is shown,
// outer's cancellation cancels it, its failure is outer's.
void run_step(OperationState& outer, const std::string& label, const std::function<Operation()>& start) {
    outer.set_metadata("copy_progress", label);
    Operation inner = start();
    bool cancel_sent = false;
    while (!inner.wait(kPoll)) {
        forward_progress(outer, label, inner.info());
        if (!cancel_sent && outer.stop_token().stop_requested()) {
            cancel_sent = true;
            try {
                inner.cancel();
            } catch (const Error&) {
                // Not cancellable: it ends by itself, then outer stops at its next check.
            }
        }
    }
    forward_progress(outer, label, inner.info());
    inner.get();
}

void check_cancelled(const OperationState& outer) {
    if (outer.stop_token().stop_requested()) throw Error(ErrorCode::Cancelled, "the copy was cancelled");
}

// An operation of this process running work on a thread of its own (as the REST client's local
// operations), with the state at hand for progress and cancellation.
Operation relay_operation(const char* description, std::function<void(OperationState&)> work) {
    static std::atomic<uint64_t> counter{0};
    api::Operation initial;
    initial.id = fmt::format("copy-{}-{}", ::getpid(), ++counter);
    initial.description = description;
    initial.may_cancel = true;
    auto state = std::make_shared<OperationState>(initial, nullptr);
    state->set_running();
    std::thread([state, work = std::move(work)] {
        try {
            work(*state);
            state->finish_success();
        } catch (...) {
            state->finish_failure(std::current_exception());
        }
    }).detach();
    return Operation(state);
}

// The copy itself: export, rewrite, import. Nothing is left on the target when it throws (the
// import's own guarantee), nothing in the temporary directory either.
void relay_copy(OperationState& outer, Instance source, InstanceStore targets, bool target_connected, const std::string& project, const std::string& name, const CrossCopyOptions& opts, bool ephemeral) {
    PrivateTempDir dir;
    fs::path exported = dir.path() / "exported.tar";
    fs::path prepared = dir.path() / "copy.tar";
    BackupExportOptions export_opts;
    export_opts.instance_only = opts.instance_only;
    export_opts.compression_algorithm = "gzip";  // what every server can write (LXD's default)
    run_step(outer, "Exporting", [&] { return source.export_backup_async(exported, export_opts); });
    make_private(exported);
    check_cancelled(outer);
    outer.set_metadata("copy_progress", "Preparing");
    // Compressed again only for a wire: an embedded target reads the file at once.
    backup::rewrite_instance_backup(exported, prepared, target_connected ? "gzip" : "none",
                                    [&](backup::Config& config) { make_copy_config(config, opts, ephemeral); },
                                    [&](uint64_t) { check_cancelled(outer); });
    make_private(prepared);
    fs::remove(exported);
    check_cancelled(outer);
    BackupImportOptions import_opts;
    import_opts.name = name;
    import_opts.pool = opts.pool;
    run_step(outer, "Importing", [&] { return targets.import_backup_async(project, prepared, import_opts); });
    outer.set_metadata("name", name);
}

struct Plan {
    std::string project;
    std::string name;
};

Plan plan_of(const Instance& source, std::string_view new_name, const CrossCopyOptions& opts) {
    if (opts.refresh)
        throw Error(ErrorCode::NotSupported, "--refresh is not supported for copies to another server: copy to a new name", "refresh");
    return {opts.project.empty() ? source.project() : opts.project, new_name.empty() ? source.name() : std::string(new_name)};
}

// What the import would refuse, refused before anything is exported: over REST the import's
// failure comes back as the server operation's error (Backend), so this way the caller gets the
// code (AlreadyExists, NotFound) and no backup is made for nothing. The import still checks.
void check_target(Manager& target, const Plan& plan, const CrossCopyOptions& opts, const std::vector<std::string>& source_profiles) {
    bool taken = true;
    try {
        target.instances().get(plan.project, plan.name);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::NotFound) throw;
        taken = false;
    }
    if (taken)
        throw Error(ErrorCode::AlreadyExists,
                    fmt::format("instance \"{}\" already exists in project \"{}\" of the target", plan.name, plan.project), "name");
    if (!opts.pool.empty()) target.storage_pools().get(opts.pool);  // NotFound naming it
    for (const auto& profile : opts.profiles.value_or(source_profiles))
        if (!target.profiles().exists(plan.project, profile))
            throw Error(ErrorCode::NotFound,
                        fmt::format("profile \"{}\" not found in project \"{}\" of the target", profile, plan.project), "profiles");
}

}  // namespace

Operation copy_instance_to_async(const Instance& source_in, Manager& target, std::string_view new_name, const CrossCopyOptions& opts) {
    Instance source = source_in;
    Plan plan = plan_of(source, new_name, opts);
    api::Instance current = source.info();  // NotFound now rather than from the operation
    check_target(target, plan, opts, current.profiles);
    bool target_connected = target.connected();
    return relay_operation("Copying instance", [source, targets = target.instances(), target_connected, plan, opts](OperationState& state) {
        relay_copy(state, source, targets, target_connected, plan.project, plan.name, opts, opts.ephemeral);
    });
}

Instance copy_instance_to(const Instance& source, Manager& target, std::string_view new_name, const CrossCopyOptions& opts) {
    Plan plan = plan_of(source, new_name, opts);
    copy_instance_to_async(source, target, new_name, opts).get();
    return target.instances().get(plan.project, plan.name);
}

Operation move_instance_to_async(const Instance& source_in, Manager& target, std::string_view new_name, const CrossCopyOptions& opts) {
    Instance source = source_in;
    const std::string& name_ = source.name();  // for the messages below
    Plan plan = plan_of(source, new_name, opts);
    api::Instance current = source.info();
    const bool running = current.status != "Stopped";
    if (running && !opts.stateless)
        throw Error(ErrorCode::Busy,
                    fmt::format("instance \"{}\" is running: moving it to another server live needs CRIU, which is not supported; "
                                "stop it first or use --stateless",
                                name_),
                    "status");
    if (running && current.ephemeral)
        throw Error(ErrorCode::Busy,
                    fmt::format("instance \"{}\" is ephemeral and running: stopping it for the move would delete it", name_), "status");
    check_target(target, plan, opts, current.profiles);
    bool target_connected = target.connected();
    bool ephemeral = current.ephemeral || opts.ephemeral;
    return relay_operation("Moving instance", [source, targets = target.instances(), target_connected, plan, opts, running,
                                               ephemeral](OperationState& state) mutable {
        // Whatever fails, the source is left as it was: started again if it was stopped here.
        auto restore_source = [&] {
            if (!running) return;
            try {
                source.start();
            } catch (const Error&) {
                // The original failure is the one to report.
            }
        };
        if (running) {
            state.set_metadata("copy_progress", "Stopping");
            source.stop();
        }
        try {
            relay_copy(state, source, targets, target_connected, plan.project, plan.name, opts, ephemeral);
        } catch (...) {
            restore_source();
            throw;
        }
        // The source goes only once the copy is there; if it cannot go, the copy goes instead.
        try {
            Instance copy = targets.get(plan.project, plan.name);
            state.set_metadata("copy_progress", "Deleting the source");
            source.remove();
        } catch (...) {
            try {
                targets.get(plan.project, plan.name).remove();
            } catch (const Error&) {
                // Nothing more can be undone; the original failure is the one to report.
            }
            restore_source();
            throw;
        }
        if (running) {
            state.set_metadata("copy_progress", "Starting");
            targets.get(plan.project, plan.name).start();
        }
    });
}

void move_instance_to(const Instance& source, Manager& target, std::string_view new_name, const CrossCopyOptions& opts) {
    move_instance_to_async(source, target, new_name, opts).get();
}

}  // namespace li
