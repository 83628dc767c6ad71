// C ABI: copies and moves of an instance to another manager (`lxc copy r1:c1 r2:c2`, `lxc move
// r1:c1 r2:`), the library's relay through a backup; options are the JSON of CrossCopyOptions.

#include "api/cross_copy_json.hpp"
#include "capi_internal.hpp"
#include "libinstance/cross_copy.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::new_handle;
using li::capi::or_empty;
using li::capi::out_param;

extern "C" {

int li_instance_copy_to(li_instance** out, li_instance* inst, li_manager* target, const char* new_name, const char* options_json,
                        li_error** err) {
    return boundary(err, [&] {
        if (out) *out = nullptr;
        auto& i = checked(inst, "inst");
        auto& t = checked(target, "target");
        auto opts = li::api::cross_copy_options_from_json(or_empty(options_json));
        auto copy = li::copy_instance_to(i.instance_, *t.manager_, or_empty(new_name), opts);
        if (out) *out = new li_instance{li_instance::kTag, std::move(copy)};
    });
}

int li_instance_copy_to_async(li_operation** out, li_instance* inst, li_manager* target, const char* new_name,
                              const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        auto& t = checked(target, "target");
        auto opts = li::api::cross_copy_options_from_json(or_empty(options_json));
        *out = new_handle(li::copy_instance_to_async(i.instance_, *t.manager_, or_empty(new_name), opts));
    });
}

int li_instance_move_to(li_instance* inst, li_manager* target, const char* new_name, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto& t = checked(target, "target");
        auto opts = li::api::cross_copy_options_from_json(or_empty(options_json));
        li::move_instance_to(i.instance_, *t.manager_, or_empty(new_name), opts);
    });
}

int li_instance_move_to_async(li_operation** out, li_instance* inst, li_manager* target, const char* new_name,
                              const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        auto& t = checked(target, "target");
        auto opts = li::api::cross_copy_options_from_json(or_empty(options_json));
        *out = new_handle(li::move_instance_to_async(i.instance_, *t.manager_, or_empty(new_name), opts));
    });
}

}  // extern "C"
