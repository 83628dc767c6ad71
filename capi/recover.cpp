// C ABI: disaster recovery (`lxd recover`): scan the pools, then import what the database lacks.

#include "api/recover_json.hpp"
#include "capi_internal.hpp"
#include "libinstance/error.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::out_param;
using li::capi::to_c_string;

extern "C" {

int li_manager_recover_validate(char** out_json, li_manager* mgr, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        li::RecoverOptions opts = li::api::recover_options_from_json(options_json ? options_json : "");
        *out_json = to_c_string(li::api::recover_result_to_json(m.manager_->recover_validate(opts)));
    });
}

int li_manager_recover_import(char** out_json, li_manager* mgr, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        li::RecoverOptions opts = li::api::recover_options_from_json(options_json ? options_json : "");
        *out_json = to_c_string(li::api::recover_result_to_json(m.manager_->recover_import(opts)));
    });
}

}  // extern "C"
