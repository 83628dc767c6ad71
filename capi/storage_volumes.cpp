// C ABI: storage volumes (create, list, get, update, rename, delete custom volumes; list and get
// container and image volumes).

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::new_handle;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_storage_volume_create_json(char** out_json, li_manager* mgr, const char* project, const char* pool,
                                  const char* storage_volumes_post_json, li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto post = li::api::storage_volumes_post_from_json(required(storage_volumes_post_json, "storage_volumes_post_json"));
        auto volume = m.manager_->storage_volumes().create(p, post, project_arg(project));
        if (out_json) *out_json = to_c_string(li::api::to_json(volume));
    });
}

int li_storage_volume_create_json_async(li_operation** out, li_manager* mgr, const char* project, const char* pool,
                                        const char* storage_volumes_post_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto post = li::api::storage_volumes_post_from_json(required(storage_volumes_post_json, "storage_volumes_post_json"));
        *out = new_handle(m.manager_->storage_volumes().create_async(p, post, project_arg(project)));
    });
}

int li_storage_volume_list_json(char** out_json, li_manager* mgr, const char* project, const char* pool, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_volumes().list(p, project_arg(project))));
    });
}

int li_storage_volume_get_json(char** out_json, li_manager* mgr, const char* project, const char* pool, const char* type,
                               const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto t = required(type, "type");
        auto n = required(name, "name");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_volumes().get(p, t, n, project_arg(project))));
    });
}

int li_storage_volume_update_json(li_manager* mgr, const char* project, const char* pool, const char* name,
                                  const char* storage_volume_put_json, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto n = required(name, "name");
        auto put = li::api::storage_volume_put_from_json(required(storage_volume_put_json, "storage_volume_put_json"));
        m.manager_->storage_volumes().update(p, n, put, project_arg(project));
    });
}

int li_storage_volume_rename(li_manager* mgr, const char* project, const char* pool, const char* name, const char* new_name,
                             li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto n = required(name, "name");
        auto nn = required(new_name, "new_name");
        m.manager_->storage_volumes().rename(p, n, nn, project_arg(project));
    });
}

int li_storage_volume_delete(li_manager* mgr, const char* project, const char* pool, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto n = required(name, "name");
        m.manager_->storage_volumes().remove(p, n, project_arg(project));
    });
}

}  // extern "C"
