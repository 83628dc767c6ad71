// C ABI: instance snapshots (take, list, show, change expiry, rename, delete, restore), each with
// its operation form where LXD has one.

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::new_handle;
using li::capi::out_param;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_instance_snapshot_create_json(char** out_json, li_instance* inst, const char* instance_snapshots_post_json,
                                     li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& i = checked(inst, "inst");
        auto post = li::api::instance_snapshots_post_from_json(required(instance_snapshots_post_json, "instance_snapshots_post_json"));
        auto snapshot = i.instance_.snapshot(post);
        if (out_json) *out_json = to_c_string(li::api::to_json(snapshot));
    });
}

int li_instance_snapshot_create_async(li_operation** out, li_instance* inst, const char* instance_snapshots_post_json,
                                      li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        auto post = li::api::instance_snapshots_post_from_json(required(instance_snapshots_post_json, "instance_snapshots_post_json"));
        *out = new_handle(i.instance_.snapshot_async(post));
    });
}

int li_instance_snapshot_list_json(char** out_json, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& i = checked(inst, "inst");
        *out_json = to_c_string(li::api::to_json(i.instance_.snapshots()));
    });
}

int li_instance_snapshot_get_json(char** out_json, li_instance* inst, const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& i = checked(inst, "inst");
        *out_json = to_c_string(li::api::to_json(i.instance_.get_snapshot(required(snapshot, "snapshot"))));
    });
}

int li_instance_snapshot_update_json(li_instance* inst, const char* snapshot, const char* instance_snapshot_put_json,
                                     li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto name = required(snapshot, "snapshot");
        auto put = li::api::instance_snapshot_put_from_json(required(instance_snapshot_put_json, "instance_snapshot_put_json"));
        i.instance_.update_snapshot(name, put);
    });
}

int li_instance_snapshot_rename(li_instance* inst, const char* snapshot, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto name = required(snapshot, "snapshot");
        i.instance_.rename_snapshot(name, required(new_name, "new_name"));
    });
}

int li_instance_snapshot_delete(li_instance* inst, const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.delete_snapshot(required(snapshot, "snapshot"));
    });
}

int li_instance_snapshot_delete_async(li_operation** out, li_instance* inst, const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.delete_snapshot_async(required(snapshot, "snapshot")));
    });
}

int li_instance_restore(li_instance* inst, const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.restore(required(snapshot, "snapshot"));
    });
}

int li_instance_restore_async(li_operation** out, li_instance* inst, const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.restore_async(required(snapshot, "snapshot")));
    });
}

}  // extern "C"
