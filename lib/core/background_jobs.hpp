#pragma once
// The manager's periodic jobs, all on one thread that ticks at each wall-clock minute: the
// snapshot scheduler (instance/snapshot_schedule.hpp) and the auto-update of images
// (remote/image_auto_update.hpp).

#include <memory>

namespace li {

class ManagerCore;

/// Starts the minute tick for as long as core lives, unless $LIBINSTANCE_SNAPSHOT_SCHEDULER (its
/// historical name) or $LIBINSTANCE_BACKGROUND_JOBS is "0": then no thread is started at all and
/// neither job runs by itself (for callers driving the passes with their own clock).
void start_background_jobs(const std::shared_ptr<ManagerCore>& core);

}  // namespace li
