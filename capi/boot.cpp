// C ABI: host shutdown of a manager's instances (LXD's `lxd shutdown`).

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::out_param;

extern "C" {

int li_manager_shutdown_instances(li_manager* mgr, li_error** err) {
    return boundary(err, [&] { checked(mgr, "mgr").manager_->shutdown_instances(); });
}

int li_manager_shutdown_instances_async(li_operation** out, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        *out = new li_operation{li_operation::kTag, m.manager_->shutdown_instances_async()};
    });
}

}  // extern "C"
