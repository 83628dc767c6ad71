// C ABI: profiles (create, get, list, update, rename, delete).

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::or_empty;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_profile_create_json(char** out_json, li_manager* mgr, const char* project, const char* profiles_post_json,
                           li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto post = li::api::profiles_post_from_json(required(profiles_post_json, "profiles_post_json"));
        auto profile = m.manager_->profiles().create(project_arg(project), post);
        if (out_json) *out_json = to_c_string(li::api::to_json(profile));
    });
}

int li_profile_get_json(char** out_json, char** out_etag, li_manager* mgr, const char* project, const char* name,
                        li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        if (out_etag) *out_etag = nullptr;
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto profile = m.manager_->profiles().get(project_arg(project), n);
        std::string etag = out_etag ? m.manager_->profiles().etag(project_arg(project), n) : std::string();
        *out_json = to_c_string(li::api::to_json(profile));
        if (out_etag) *out_etag = to_c_string(etag);
    });
}

int li_profile_list_json(char** out_json, li_manager* mgr, const char* project, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->profiles().list(project_arg(project))));
    });
}

int li_profile_update_json(li_manager* mgr, const char* project, const char* name, const char* profile_put_json,
                           const char* if_match, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto put = li::api::profile_put_from_json(required(profile_put_json, "profile_put_json"));
        m.manager_->profiles().update(project_arg(project), n, put, or_empty(if_match));
    });
}

int li_profile_rename(li_manager* mgr, const char* project, const char* name, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->profiles().rename(project_arg(project), required(name, "name"), required(new_name, "new_name"));
    });
}

int li_profile_delete(li_manager* mgr, const char* project, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->profiles().remove(project_arg(project), required(name, "name"));
    });
}

}  // extern "C"
