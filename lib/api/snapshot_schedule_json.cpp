#include "api/snapshot_schedule_json.hpp"

#include <nlohmann/json.hpp>

namespace li::api {

std::string snapshot_schedule_run_to_json(const SnapshotScheduleRun& run) {
    return nlohmann::json{{"taken", run.taken}, {"pruned", run.pruned}, {"failed", run.failed}}.dump();
}

}  // namespace li::api
