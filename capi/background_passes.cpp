// C ABI: one pass of the manager's background jobs (the snapshot scheduler, the image
// auto-update), at now or at a caller's time, for callers that drive their own clock.

#include <chrono>

#include "api/image_auto_update_json.hpp"
#include "api/snapshot_schedule_json.hpp"
#include "capi_internal.hpp"
#include "libinstance/error.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::out_param;
using li::capi::to_c_string;

namespace {

// 0 is "now"; otherwise seconds since the epoch.
std::chrono::system_clock::time_point pass_time(int64_t now_unix) {
    if (now_unix < 0) throw li::Error::invalid("now_unix", "now_unix must be seconds since the epoch (0 for now)");
    return now_unix == 0 ? std::chrono::system_clock::now()
                         : std::chrono::system_clock::time_point(std::chrono::seconds(now_unix));
}

}  // namespace

extern "C" {

int li_manager_run_snapshot_schedule(char** out_json, li_manager* mgr, int64_t now_unix, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::snapshot_schedule_run_to_json(m.manager_->run_snapshot_schedule(pass_time(now_unix))));
    });
}

int li_manager_run_image_auto_update(char** out_json, li_manager* mgr, int64_t now_unix, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::image_auto_update_run_to_json(m.manager_->run_image_auto_update(pass_time(now_unix))));
    });
}

}  // extern "C"
