// C ABI: storage pools (create, list, get, update, resources, delete).

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_storage_pool_create_json(char** out_json, li_manager* mgr, const char* storage_pools_post_json, li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto post = li::api::storage_pools_post_from_json(required(storage_pools_post_json, "storage_pools_post_json"));
        auto pool = m.manager_->storage_pools().create(post);
        if (out_json) *out_json = to_c_string(li::api::to_json(pool));
    });
}

int li_storage_pool_list_json(char** out_json, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        li::capi::out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_pools().list()));
    });
}

int li_storage_pool_get_json(char** out_json, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        li::capi::out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_pools().get(required(name, "name"))));
    });
}

int li_storage_pool_delete(li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->storage_pools().remove(required(name, "name"));
    });
}

int li_storage_pool_etag(char** out_etag, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        li::capi::out_param(out_etag, "out_etag");
        auto& m = checked(mgr, "mgr");
        *out_etag = to_c_string(m.manager_->storage_pools().etag(required(name, "name")));
    });
}

int li_storage_pool_update_json(li_manager* mgr, const char* name, const char* storage_pool_put_json, const char* if_match,
                                li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto put = li::api::storage_pool_put_from_json(required(storage_pool_put_json, "storage_pool_put_json"));
        m.manager_->storage_pools().update(required(name, "name"), put, if_match ? if_match : "");
    });
}

int li_storage_pool_resources_json(char** out_json, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        li::capi::out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->storage_pools().resources(required(name, "name"))));
    });
}

}  // extern "C"
