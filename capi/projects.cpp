// C ABI: projects (create, get, list, update, rename, delete, state). Projects are not inside a
// project, so these take no project argument; the rest of the ABI takes one everywhere.

#include "capi_internal.hpp"
#include "libinstance/project.hpp"

using namespace li::capi;

extern "C" {

int li_project_create_json(char** out_json, li_manager* mgr, const char* projects_post_json, li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto post = li::api::projects_post_from_json(required(projects_post_json, "projects_post_json"));
        auto created = m.manager_->projects().create(post);
        if (out_json) *out_json = to_c_string(li::api::to_json(created));
    });
}

int li_project_get_json(char** out_json, char** out_etag, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        if (out_etag) *out_etag = nullptr;
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto& projects = m.manager_->projects();
        auto document = projects.get(n);
        std::string etag = out_etag ? projects.etag(n) : std::string();
        *out_json = to_c_string(li::api::to_json(document));
        if (out_etag) *out_etag = to_c_string(etag);
    });
}

int li_project_list_json(char** out_json, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->projects().list()));
    });
}

int li_project_update_json(li_manager* mgr, const char* name, const char* project_put_json, const char* if_match,
                           li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto put = li::api::project_put_from_json(required(project_put_json, "project_put_json"));
        m.manager_->projects().update(n, put, or_empty(if_match));
    });
}

int li_project_rename(li_manager* mgr, const char* name, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->projects().rename(required(name, "name"), required(new_name, "new_name"));
    });
}

int li_project_delete(li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->projects().remove(required(name, "name"));
    });
}

int li_project_state_json(char** out_json, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->projects().state(required(name, "name"))));
    });
}

}  // extern "C"
