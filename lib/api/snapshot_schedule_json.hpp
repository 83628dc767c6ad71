#pragma once
// What a snapshot scheduler pass did, as the C ABI returns it.

#include <string>

#include "libinstance/manager.hpp"

namespace li::api {

/// {"taken": [...], "pruned": [...], "failed": [...]}
std::string snapshot_schedule_run_to_json(const SnapshotScheduleRun& run);

}  // namespace li::api
