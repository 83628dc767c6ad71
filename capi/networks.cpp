// C ABI: managed networks (create, get, list, update, rename, delete, state, leases).

#include "capi_internal.hpp"
#include "libinstance/network.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::or_empty;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_network_create_json(char** out_json, li_manager* mgr, const char* project, const char* networks_post_json,
                           li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto post = li::api::networks_post_from_json(required(networks_post_json, "networks_post_json"));
        auto network = m.manager_->networks().create(project_arg(project), post);
        if (out_json) *out_json = to_c_string(li::api::to_json(network));
    });
}

int li_network_get_json(char** out_json, char** out_etag, li_manager* mgr, const char* project, const char* name,
                        li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        if (out_etag) *out_etag = nullptr;
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto network = m.manager_->networks().get(project_arg(project), n);
        std::string etag = out_etag ? m.manager_->networks().etag(project_arg(project), n) : std::string();
        *out_json = to_c_string(li::api::to_json(network));
        if (out_etag) *out_etag = to_c_string(etag);
    });
}

int li_network_list_json(char** out_json, li_manager* mgr, const char* project, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->networks().list(project_arg(project))));
    });
}

int li_network_update_json(li_manager* mgr, const char* project, const char* name, const char* network_put_json,
                           const char* if_match, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto put = li::api::network_put_from_json(required(network_put_json, "network_put_json"));
        m.manager_->networks().update(project_arg(project), n, put, or_empty(if_match));
    });
}

int li_network_rename(li_manager* mgr, const char* project, const char* name, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->networks().rename(project_arg(project), required(name, "name"), required(new_name, "new_name"));
    });
}

int li_network_delete(li_manager* mgr, const char* project, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->networks().remove(project_arg(project), required(name, "name"));
    });
}

int li_network_state_json(char** out_json, li_manager* mgr, const char* project, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        *out_json = to_c_string(li::api::to_json(m.manager_->networks().state(project_arg(project), n)));
    });
}

int li_network_leases_json(char** out_json, li_manager* mgr, const char* project, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        *out_json = to_c_string(li::api::to_json(m.manager_->networks().leases(project_arg(project), n)));
    });
}

}  // extern "C"
