// Instance: lifecycle of one instance, serialised per instance by its object lock.
#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/manager_core.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "store/instance_repo.hpp"

namespace li {

namespace {

constexpr int kRunning = 103;
constexpr int kStopped = 102;

struct Context {
    LoadedInstance loaded;
    InstanceSpec spec;
    InstanceDriver& driver;
};

Context context_of(ManagerCore& core, const std::string& project, const std::string& name) {
    LoadedInstance loaded = load_instance(core, project, name);
    InstanceSpec spec = spec_of(core, loaded);
    InstanceDriver& driver = core.instance_driver(spec.type);
    return Context{std::move(loaded), std::move(spec), driver};
}

void do_start(ManagerCore& core, Context& ctx) {
    if (ctx.driver.state(ctx.spec).status_code == kRunning)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is already running", ctx.spec.name), "name");
    ctx.driver.start(ctx.spec);
    core.db().transaction([&](SQLite::Database& db) { repo::set_instance_last_used(db, ctx.loaded.record.id, now_rfc3339()); });
}

void do_stop(Context& ctx, const StopOptions& opts) {
    if (ctx.driver.state(ctx.spec).status_code == kStopped)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", ctx.spec.name), "name");
    ctx.driver.stop(ctx.spec, opts.force, opts.timeout);
}

void do_delete(ManagerCore& core, Context& ctx, bool force) {
    if (ctx.driver.state(ctx.spec).status_code != kStopped) {
        if (!force)
            throw Error(ErrorCode::Conflict,
                        fmt::format("instance \"{}\" is running; stop it first or delete with force", ctx.spec.name), "name");
        ctx.driver.stop(ctx.spec, true, std::chrono::seconds(0));
    }
    ctx.driver.destroy(ctx.spec);
    StorageDriver& pool = core.pool(root_disk_pool(ctx.loaded.expanded.devices));
    pool.delete_volume(VolumeRef{VolumeType::Container, volume_name(ctx.spec.project, ctx.spec.name)});
    // The record goes last: if removing files fails, the instance is still there to retry.
    core.db().transaction([&](SQLite::Database& db) { repo::delete_instance(db, ctx.loaded.record.id); });
}

}  // namespace

Instance::Instance(std::shared_ptr<ManagerCore> core, std::string project, std::string name)
    : core_(std::move(core)), project_(std::move(project)), name_(std::move(name)) {}

api::Instance Instance::info() const {
    Context ctx = context_of(*core_, project_, name_);
    return to_api(ctx.loaded, ctx.driver.state(ctx.spec), false);
}

api::InstanceState Instance::state() const {
    Context ctx = context_of(*core_, project_, name_);
    return ctx.driver.state(ctx.spec);
}

void Instance::start(const StartOptions& opts) {
    if (opts.stateful)
        throw Error(ErrorCode::NotSupported, "stateful start needs checkpoint/restore (CRIU), which is not supported yet", "stateful");
    auto lock = core_->locks().lock("instance/" + project_ + "/" + name_);
    Context ctx = context_of(*core_, project_, name_);
    try {
        do_start(*core_, ctx);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("starting {}", name_));
    }
}

void Instance::stop(const StopOptions& opts) {
    auto lock = core_->locks().lock("instance/" + project_ + "/" + name_);
    Context ctx = context_of(*core_, project_, name_);
    do_stop(ctx, opts);
    if (ctx.loaded.record.ephemeral) do_delete(*core_, ctx, false);
}

void Instance::restart(const StopOptions& opts) {
    auto lock = core_->locks().lock("instance/" + project_ + "/" + name_);
    Context ctx = context_of(*core_, project_, name_);
    do_stop(ctx, opts);
    do_start(*core_, ctx);
}

void Instance::remove(const DeleteOptions& opts) {
    auto lock = core_->locks().lock("instance/" + project_ + "/" + name_);
    Context ctx = context_of(*core_, project_, name_);
    try {
        do_delete(*core_, ctx, opts.force);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Conflict) throw;
        throw e.with_context(fmt::format("deleting {}", name_));
    }
}

ExecResult Instance::exec(const std::vector<std::string>& argv, const ExecOptions& opts) {
    Context ctx = context_of(*core_, project_, name_);
    if (ctx.driver.state(ctx.spec).status_code != kRunning)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", name_), "name");
    return ctx.driver.exec(ctx.spec, argv, opts);
}

}  // namespace li
