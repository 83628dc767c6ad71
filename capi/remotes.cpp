// C ABI: remotes (image servers), their images, copying images from them and refreshing.

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

namespace {

li_operation* operation_handle(li::Operation op) { return new li_operation{li_operation::kTag, std::move(op)}; }

}  // namespace

extern "C" {

int li_remote_add(li_manager* mgr, const char* remote_json, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto remote = li::api::remote_from_json(required(remote_json, "remote_json"));
        m.manager_->remotes().add(remote);
    });
}

int li_remote_add_with_token(li_manager* mgr, const char* remote_json, const char* token, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto remote = li::api::remote_from_json(required(remote_json, "remote_json"));
        m.manager_->remotes().add_with_token(remote, required(token, "token"));
    });
}

int li_remote_connect(li_manager** out, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto handle = std::make_unique<li_manager>();
        handle->manager_ = m.manager_->remotes().connect(required(name, "name"));
        *out = handle.release();
    });
}

int li_remote_list_json(char** out_json, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->remotes().list()));
    });
}

int li_remote_get_json(char** out_json, li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->remotes().get(required(name, "name"))));
    });
}

int li_remote_remove(li_manager* mgr, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->remotes().remove(required(name, "name"));
    });
}

int li_remote_rename(li_manager* mgr, const char* name, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto from = required(name, "name");
        auto to = required(new_name, "new_name");
        m.manager_->remotes().rename(from, to);
    });
}

int li_remote_image_list_json(char** out_json, li_manager* mgr, const char* remote, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->remotes().images(required(remote, "remote"))));
    });
}

int li_image_copy_from_remote(char** out_json, li_manager* mgr, const char* project, const char* images_post_json,
                              li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto post = li::api::images_post_from_json(required(images_post_json, "images_post_json"));
        *out_json = to_c_string(li::api::to_json(m.manager_->images().copy_from_remote(project_arg(project), post)));
    });
}

int li_image_copy_from_remote_async(li_operation** out, li_manager* mgr, const char* project,
                                    const char* images_post_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto post = li::api::images_post_from_json(required(images_post_json, "images_post_json"));
        *out = operation_handle(m.manager_->images().copy_from_remote_async(project_arg(project), post));
    });
}

int li_image_refresh(char** out_json, li_manager* mgr, const char* project, const char* ref, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        *out_json = to_c_string(li::api::to_json(m.manager_->images().refresh(project_arg(project), r)));
    });
}

int li_image_refresh_async(li_operation** out, li_manager* mgr, const char* project, const char* ref, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        *out = operation_handle(m.manager_->images().refresh_async(project_arg(project), r));
    });
}

}  // extern "C"
