// The snapshot scheduler. Each instance's slot (its id and the minute) is written to the database
// before its snapshot is taken, in its own transaction, so that two passes over the same minute
// (two threads, or this manager and a caller with its own clock) take it once between them.
#include "instance/snapshot_schedule.hpp"

#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "config/validators.hpp"
#include "core/clock.hpp"
#include "core/cron.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/operation_state.hpp"
#include "instance/instance_loader.hpp"
#include "instance/instance_snapshots.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "store/snapshot_schedule_repo.hpp"

namespace li {

namespace {

using Clock = std::chrono::system_clock;

// Slots older than this are forgotten: a pass for them can only come from a caller's clock.
constexpr int64_t kSlotMemoryMinutes = 7 * 24 * 60;

std::string config_value(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
}

std::tm local_time(int64_t epoch) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm out{};
    ::localtime_r(&t, &out);
    return out;
}

// Takes the instance's snapshot of this slot if it is due; the snapshot's name, or "".
std::string take_if_due(const std::shared_ptr<ManagerCore>& core, const repo::InstanceName& inst, const std::tm& local,
                        int64_t minute) {
    LoadedInstance loaded = load_instance(*core, inst.project, inst.name);
    const api::ConfigMap& config = loaded.expanded.config;
    std::string schedule = config_value(config, "snapshots.schedule");
    if (schedule.empty()) return {};
    if (!CronSchedule::parse(schedule, "config.snapshots.schedule").matches(local)) return {};
    if (!config::is_true(config_value(config, "snapshots.schedule.stopped")) && !is_running(*core, loaded)) return {};
    bool claimed = core->db().transaction([&](SQLite::Database& db) { return repo::claim_schedule_slot(db, inst.id, minute); });
    if (!claimed) return {};
    api::InstanceSnapshotsPost post;
    // The expiry counts from the slot, so that a pass run with another clock is consistent.
    post.expires_at = expiry_after(config_value(config, "snapshots.expiry"), minute * 60, "config.snapshots.expiry");
    return InstanceStore(core).get(inst.project, inst.name).snapshot(post).name;
}

}  // namespace

SnapshotScheduleRun run_snapshot_schedule(const std::shared_ptr<ManagerCore>& core, Clock::time_point now) {
    SnapshotScheduleRun run;
    int64_t minute = std::chrono::floor<std::chrono::minutes>(now).time_since_epoch().count();
    int64_t now_epoch = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    std::tm local = local_time(minute * 60);

    auto instances = core->db().read([](SQLite::Database& db) { return repo::list_all_instances(db); });
    for (const auto& inst : instances) {
        try {
            std::string name = take_if_due(core, inst, local, minute);
            if (!name.empty()) run.taken.push_back(fmt::format("{}/{}/{}", inst.project, inst.name, name));
        } catch (const Error& e) {
            // An instance deleted since the listing has nothing to snapshot.
            if (e.code() == ErrorCode::NotFound && e.key() == "name") continue;
            run.failed.push_back(fmt::format("{}/{}: {}", inst.project, inst.name, e.what()));
        } catch (const std::exception& e) {
            run.failed.push_back(fmt::format("{}/{}: {}", inst.project, inst.name, e.what()));
        }
    }

    auto expiring = core->db().read([](SQLite::Database& db) { return repo::list_expiring_snapshots(db); });
    for (const auto& s : expiring) {
        auto expires = rfc3339_to_epoch(s.expires_at);
        if (!expires || *expires > now_epoch) continue;
        try {
            InstanceStore(core).get(s.project, s.instance).delete_snapshot(s.snapshot);
            run.pruned.push_back(fmt::format("{}/{}/{}", s.project, s.instance, s.snapshot));
        } catch (const Error& e) {
            // Another pass (or a user) deleted it first.
            if (e.code() == ErrorCode::NotFound) continue;
            run.failed.push_back(fmt::format("{}/{}: deleting expired snapshot {}: {}", s.project, s.instance, s.snapshot, e.what()));
        }
    }
    core->db().transaction([&](SQLite::Database& db) { repo::prune_schedule_slots(db, minute - kSlotMemoryMinutes); });
    return run;
}

void snapshot_at_startup(ManagerCore& core, InstanceContext& ctx) {
    const api::ConfigMap& config = ctx.loaded.expanded.config;
    std::string schedule = config_value(config, "snapshots.schedule");
    if (schedule.empty()) return;
    const InstanceRecord& instance = ctx.loaded.record;
    try {
        if (!CronSchedule::parse(schedule, "config.snapshots.schedule").at_startup()) return;
        OperationContext op;
        auto taken = take_instance_snapshot(core, ctx, api::InstanceSnapshotsPost{}, op);
        log::info("startup snapshot taken", {{"instance", instance.name}, {"project", instance.project}, {"snapshot", taken.name}});
    } catch (const std::exception& e) {
        log::error("startup snapshot failed", {{"instance", instance.name}, {"project", instance.project}, {"error", e.what()}});
    }
}

void snapshot_schedule_tick(const std::shared_ptr<ManagerCore>& core, Clock::time_point now) noexcept {
    try {
        SnapshotScheduleRun run = run_snapshot_schedule(core, now);
        for (const auto& t : run.taken) log::info("scheduled snapshot taken", {{"snapshot", t}});
        for (const auto& p : run.pruned) log::info("expired snapshot deleted", {{"snapshot", p}});
        for (const auto& f : run.failed) log::error("scheduled snapshot failed", {{"error", f}});
    } catch (const std::exception& e) {
        log::error("snapshot schedule pass failed", {{"error", e.what()}});
    } catch (...) {
        log::error("snapshot schedule pass failed", {{"error", "unknown exception"}});
    }
}

SnapshotScheduleRun Manager::run_snapshot_schedule(std::chrono::system_clock::time_point now) {
    core_->refuse_remote("running the snapshot schedule");
    return li::run_snapshot_schedule(core_, now);
}

}  // namespace li
