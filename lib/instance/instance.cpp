// Instance: lifecycle of one instance, serialised per instance by its object lock.
#include <atomic>
#include <csignal>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/rest_streams.hpp"
#include "client/rest_facades.hpp"
#include "config/validators.hpp"
#include "core/failpoint.hpp"
#include "core/intent.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "instance/instance_boot.hpp"
#include "instance/instance_loader.hpp"
#include "instance/instance_snapshots.hpp"
#include "instance/snapshot_schedule.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "storage/image_volumes.hpp"
#include "store/instance_repo.hpp"
#include "store/instance_snapshot_repo.hpp"

namespace li {

namespace {

constexpr int kRunning = 103;
constexpr int kStopped = 102;
using Context = InstanceContext;

std::string source_of(const InstanceSpec& spec) { return api_source("instances", spec.name, spec.project); }

void do_start(ManagerCore& core, Context& ctx) {
    if (ctx.driver.status_code(ctx.spec) == kRunning)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is already running", ctx.spec.name), "name");
    ctx.driver.start(ctx.spec);
    core.db().transaction([&](SQLite::Database& db) { repo::set_instance_last_used(db, ctx.loaded.record.id, now_rfc3339()); });
    // What the next host boot restores when boot.autostart is unset (LXD's last state).
    set_last_power_state(core, ctx.spec.project, ctx.spec.name, "RUNNING");
    log::info("instance started", {{"instance", ctx.spec.name}, {"project", ctx.spec.project}});
}

void do_stop(Context& ctx, const StopOptions& opts) {
    if (ctx.driver.status_code(ctx.spec) == kStopped)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", ctx.spec.name), "name");
    ctx.driver.stop(ctx.spec, opts.force, opts.timeout);
    log::info("instance stopped", {{"instance", ctx.spec.name}, {"project", ctx.spec.project}});
}

void do_delete(ManagerCore& core, Context& ctx, bool force) {
    if (ctx.driver.status_code(ctx.spec) != kStopped) {
        if (!force)
            throw Error(ErrorCode::Conflict,
                        fmt::format("instance \"{}\" is running; stop it first or delete with force", ctx.spec.name), "name");
        ctx.driver.stop(ctx.spec, true, std::chrono::seconds(0));
    }
    ctx.driver.destroy(ctx.spec);
    std::vector<std::string> snapshots;
    {
        // The record goes first; the volume (with its snapshots) follows when the journal entry is
        // done with, or at the next open if the process dies in between.
        Intent intent(core, "instance.delete", ctx.spec.project, ctx.spec.name, {});
        LI_FAILPOINT("instance.delete.journaled");
        VolumeTarget volume{root_disk_pool(ctx.loaded.expanded.devices), VolumeType::Container,
                            project_prefixed_name(ctx.spec.project, ctx.spec.name), ""};
        core.db().transaction([&](SQLite::Database& db) {
            for (const auto& snapshot : repo::list_instance_snapshots(db, ctx.loaded.record.id))
                snapshots.push_back(snapshot.name);
            repo::delete_instance(db, ctx.loaded.record.id);
            intent.commit(db, {volume});
        });
        LI_FAILPOINT("instance.delete.unrecorded");
        // The files go in the background (their unlinks wait on the disk, tens of milliseconds
        // when it is busy); the name is free at once, as the instance's lock is still held.
        intent.set_aside(volume);
    }
    // The last dependant of a deleted image lets its volume go.
    if (auto base = ctx.loaded.record.config.find("volatile.base_image"); base != ctx.loaded.record.config.end())
        release_image_volumes(core, base->second);
    // As LXD, which deletes each snapshot (and says so) before the instance itself.
    for (const auto& snapshot : snapshots)
        core.events().lifecycle(ctx.spec.project, "instance-snapshot-deleted",
                                snapshot_source(ctx.spec.project, ctx.spec.name, snapshot));
    core.events().lifecycle(ctx.spec.project, "instance-deleted", source_of(ctx.spec));
}


}  // namespace

Instance::Instance(std::shared_ptr<ManagerCore> core, std::string project, std::string name)
    : core_(std::move(core)), project_(std::move(project)), name_(std::move(name)) {}

api::Instance Instance::info() const {
    if (auto rest = core_->rest()) return rest::instance_info(rest, project_, name_);
    Context ctx = context_of(*core_, project_, name_);
    return to_api(ctx.loaded, ctx.driver.status_code(ctx.spec));
}

api::InstanceState Instance::state() const {
    if (auto rest = core_->rest()) return rest::instance_state(rest, project_, name_);
    Context ctx = context_of(*core_, project_, name_);
    return ctx.driver.state(ctx.spec);
}

void Instance::start(const StartOptions& opts) { start_async_impl(opts, false).get(); }
Operation Instance::start_async(const StartOptions& opts) { return start_async_impl(opts, true); }

Operation Instance::start_async_impl(const StartOptions& opts, bool async) {
    if (auto rest = core_->rest()) return rest::change_state(rest, project_, name_, "start", false, -1);
    return locked_op("Starting instance", async, [opts](ManagerCore& core, Context& ctx) {
        if (opts.stateful)
            throw Error(ErrorCode::NotSupported, "stateful start needs checkpoint/restore (CRIU), which is not supported yet",
                        "stateful");
        try {
            do_start(core, ctx);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("starting {}", ctx.spec.name));
        }
        snapshot_at_startup(core, ctx);
        core.events().lifecycle(ctx.spec.project, "instance-started", source_of(ctx.spec));
    });
}

void Instance::stop(const StopOptions& opts) { stop_async_impl(opts, false).get(); }
Operation Instance::stop_async(const StopOptions& opts) { return stop_async_impl(opts, true); }

Operation Instance::stop_async_impl(const StopOptions& opts, bool async) {
    if (auto rest = core_->rest()) return rest::change_state(rest, project_, name_, "stop", opts.force, static_cast<int>(opts.timeout.count()));
    return locked_op("Stopping instance", async, [opts](ManagerCore& core, Context& ctx) {
        do_stop(ctx, opts);
        core.events().lifecycle(ctx.spec.project, "instance-stopped", source_of(ctx.spec));
        if (!ctx.loaded.record.ephemeral) set_last_power_state(core, ctx.spec.project, ctx.spec.name, "STOPPED");
        if (ctx.loaded.record.ephemeral) do_delete(core, ctx, false);
    });
}

void Instance::restart(const StopOptions& opts) { restart_async_impl(opts, false).get(); }
Operation Instance::restart_async(const StopOptions& opts) { return restart_async_impl(opts, true); }

Operation Instance::restart_async_impl(const StopOptions& opts, bool async) {
    if (auto rest = core_->rest()) return rest::change_state(rest, project_, name_, "restart", opts.force, static_cast<int>(opts.timeout.count()));
    return locked_op("Restarting instance", async, [opts](ManagerCore& core, Context& ctx) {
        do_stop(ctx, opts);
        do_start(core, ctx);
        core.events().lifecycle(ctx.spec.project, "instance-restarted", source_of(ctx.spec));
    });
}

void Instance::remove(const DeleteOptions& opts) { remove_async_impl(opts, false).get(); }
Operation Instance::remove_async(const DeleteOptions& opts) { return remove_async_impl(opts, true); }

Operation Instance::remove_async_impl(const DeleteOptions& opts, bool async) {
    if (auto rest = core_->rest()) return rest::delete_instance(rest, project_, name_, opts.force, async);
    return locked_op("Deleting instance", async, [opts](ManagerCore& core, Context& ctx) {
        // Set on the instance or inherited from a profile, as in LXD; force does not override it.
        auto protect = ctx.loaded.expanded.config.find("security.protection.delete");
        if (protect != ctx.loaded.expanded.config.end() && config::is_true(protect->second))
            throw Error(ErrorCode::Conflict,
                        fmt::format("instance \"{}\" is protected from deletion (unset security.protection.delete first)", ctx.spec.name),
                        "config.security.protection.delete");
        try {
            do_delete(core, ctx, opts.force);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Conflict) throw;
            throw e.with_context(fmt::format("deleting {}", ctx.spec.name));
        }
    });
}

// Every lifecycle call is an operation holding the instance's lock; the synchronous forms run it
// inline on the caller's thread.
Operation Instance::locked_op(const char* description, bool async, std::function<void(ManagerCore&, Context&)> fn) {
    return locked_op(
        description, async, [fn = std::move(fn)](ManagerCore& core, Context& ctx, OperationContext&) { fn(core, ctx); }, false);
}

Operation Instance::locked_op(const char* description, bool async,
                              std::function<void(ManagerCore&, Context&, OperationContext&)> fn, bool may_cancel) {
    auto core = core_;
    std::string project = project_, name = name_;
    OperationSpec spec{description, project, {{"instances", {api_source("instances", name, project)}}}, may_cancel};
    auto work = [core, project, name, fn = std::move(fn)](OperationContext& op) {
        auto lock = core->locks().lock_instance(project, name);
        Context ctx = context_of(*core, project, name);
        fn(*core, ctx, op);
    };
    return core->operations().run(spec, std::move(work), async, core);
}

ExecResult Instance::exec(const std::vector<std::string>& argv, const ExecOptions& opts) {
    if (auto rest = core_->rest()) return rest::exec(rest, project_, name_, argv, opts);
    Context ctx = context_of(*core_, project_, name_);
    if (ctx.driver.status_code(ctx.spec) != kRunning)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", name_), "name");
    // LXD announces an exec when it begins, with the command as its context.
    core_->events().lifecycle_json(project_, "instance-exec", source_of(ctx.spec), nlohmann::json{{"command", argv}}.dump());
    if (!opts.on_signal_ready) return ctx.driver.exec(ctx.spec, argv, opts);
    // The signal function is on_started's pid, until the command was reaped (its pid may be reused).
    auto alive = std::make_shared<std::atomic<bool>>(true);
    ExecOptions with = opts;
    with.on_started = [started = opts.on_started, ready = opts.on_signal_ready, alive](int pid) {
        if (started) started(pid);
        ready([pid, alive](int sig) {
            if (*alive) ::kill(pid, sig);
        });
    };
    struct Done {
        std::shared_ptr<std::atomic<bool>> alive;
        ~Done() { *alive = false; }
    } done{alive};
    return ctx.driver.exec(ctx.spec, argv, with);
}

}  // namespace li
