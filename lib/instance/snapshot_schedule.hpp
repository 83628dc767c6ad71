#pragma once
// Scheduled snapshots (snapshots.schedule): one pass of the scheduler, and its run from the
// manager's minute tick (core/background_jobs.hpp).

#include <chrono>
#include <memory>

#include "libinstance/manager.hpp"

namespace li {

class ManagerCore;
struct InstanceContext;

/// Takes the snapshots due on now's minute, then deletes the expired ones. Schedules are read in
/// the server's local time zone (TZ), as LXD does.
SnapshotScheduleRun run_snapshot_schedule(const std::shared_ptr<ManagerCore>& core, std::chrono::system_clock::time_point now);

/// Takes the snapshot of a just started instance whose snapshots.schedule has @startup (called
/// under the instance's lock). A failure is logged and does not undo the start.
void snapshot_at_startup(ManagerCore& core, InstanceContext& ctx);

/// The pass as the manager's minute tick runs it (core/background_jobs.hpp): what it did and
/// what failed are logged; nothing is thrown.
void snapshot_schedule_tick(const std::shared_ptr<ManagerCore>& core, std::chrono::system_clock::time_point now) noexcept;

}  // namespace li
