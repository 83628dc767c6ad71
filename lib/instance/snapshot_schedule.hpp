#pragma once
// Scheduled snapshots (snapshots.schedule): one pass of the scheduler, and the manager's own
// thread that runs it every minute.

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

/// Starts the thread that runs the pass at every minute for as long as core lives, unless
/// $LIBINSTANCE_SNAPSHOT_SCHEDULER is "0" (for callers driving the pass with their own clock).
void start_snapshot_scheduler(const std::shared_ptr<ManagerCore>& core);

}  // namespace li
