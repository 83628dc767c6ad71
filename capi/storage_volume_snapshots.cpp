// C ABI: moving custom volumes between pools and their snapshots (create, list, get, update,
// rename, delete, restore). Copies go through li_storage_volume_create_json with a "source".

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::new_handle;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_storage_volume_move_json(li_manager* mgr, const char* project, const char* pool, const char* name,
                                const char* storage_volume_post_json, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto n = required(name, "name");
        auto post = li::api::storage_volume_post_from_json(required(storage_volume_post_json, "storage_volume_post_json"));
        m.manager_->storage_volumes().move(p, n, post, project_arg(project));
    });
}

int li_storage_volume_move_json_async(li_operation** out, li_manager* mgr, const char* project, const char* pool,
                                      const char* name, const char* storage_volume_post_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto n = required(name, "name");
        auto post = li::api::storage_volume_post_from_json(required(storage_volume_post_json, "storage_volume_post_json"));
        *out = new_handle(m.manager_->storage_volumes().move_async(p, n, post, project_arg(project)));
    });
}

int li_storage_volume_snapshot_create_json(char** out_json, li_manager* mgr, const char* project, const char* pool,
                                           const char* volume, const char* storage_volume_snapshots_post_json,
                                           li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto post = li::api::storage_volume_snapshots_post_from_json(
            required(storage_volume_snapshots_post_json, "storage_volume_snapshots_post_json"));
        auto snapshot = m.manager_->storage_volumes().create_snapshot(p, v, post, project_arg(project));
        if (out_json) *out_json = to_c_string(li::api::to_json(snapshot));
    });
}

int li_storage_volume_snapshot_list_json(char** out_json, li_manager* mgr, const char* project, const char* pool,
                                         const char* volume, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_volumes().list_snapshots(p, v, project_arg(project))));
    });
}

int li_storage_volume_snapshot_get_json(char** out_json, li_manager* mgr, const char* project, const char* pool,
                                        const char* volume, const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto s = required(snapshot, "snapshot");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_volumes().get_snapshot(p, v, s, project_arg(project))));
    });
}

int li_storage_volume_snapshot_update_json(li_manager* mgr, const char* project, const char* pool, const char* volume,
                                           const char* snapshot, const char* storage_volume_snapshot_put_json,
                                           li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto s = required(snapshot, "snapshot");
        auto put = li::api::storage_volume_snapshot_put_from_json(
            required(storage_volume_snapshot_put_json, "storage_volume_snapshot_put_json"));
        m.manager_->storage_volumes().update_snapshot(p, v, s, put, project_arg(project));
    });
}

int li_storage_volume_snapshot_rename(li_manager* mgr, const char* project, const char* pool, const char* volume,
                                      const char* snapshot, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto s = required(snapshot, "snapshot");
        auto nn = required(new_name, "new_name");
        m.manager_->storage_volumes().rename_snapshot(p, v, s, nn, project_arg(project));
    });
}

int li_storage_volume_snapshot_delete(li_manager* mgr, const char* project, const char* pool, const char* volume,
                                      const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto s = required(snapshot, "snapshot");
        m.manager_->storage_volumes().delete_snapshot(p, v, s, project_arg(project));
    });
}

int li_storage_volume_snapshot_restore(li_manager* mgr, const char* project, const char* pool, const char* volume,
                                       const char* snapshot, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto s = required(snapshot, "snapshot");
        m.manager_->storage_volumes().restore_snapshot(p, v, s, project_arg(project));
    });
}

}  // extern "C"
