// C ABI: images (build, import, list, get, delete, aliases).

#include <filesystem>

#include "capi_internal.hpp"
#include "options.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::or_empty;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_image_build(char** out_json, li_manager* mgr, const char* project, const char* builder,
                   const li_image_build_opts* opts, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto o = li::capi::build_options(builder, opts);
        auto image = m.manager_->images().build(project_arg(project), o);
        *out_json = to_c_string(li::api::to_json(image));
    });
}

int li_image_import(char** out_json, li_manager* mgr, const char* project, const char* path,
                    const li_image_import_opts* opts, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        std::filesystem::path file{required(path, "path")};
        auto o = li::capi::import_options(opts);
        auto image = m.manager_->images().import_file(project_arg(project), file, o);
        *out_json = to_c_string(li::api::to_json(image));
    });
}

int li_image_list_json(char** out_json, li_manager* mgr, const char* project, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->images().list(project_arg(project))));
    });
}

int li_image_get_json(char** out_json, li_manager* mgr, const char* project, const char* ref,
                      li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        *out_json = to_c_string(li::api::to_json(m.manager_->images().get(project_arg(project), r)));
    });
}

int li_image_delete(li_manager* mgr, const char* project, const char* ref, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        m.manager_->images().remove(project_arg(project), r);
    });
}

int li_image_alias_create(li_manager* mgr, const char* project, const char* alias,
                          const char* image_ref, const char* description, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto a = required(alias, "alias");
        auto r = required(image_ref, "image_ref");
        m.manager_->images().create_alias(project_arg(project), a, r, or_empty(description));
    });
}

int li_image_alias_delete(li_manager* mgr, const char* project, const char* alias,
                          li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto a = required(alias, "alias");
        m.manager_->images().delete_alias(project_arg(project), a);
    });
}

}  // extern "C"

// Image management beyond the walking skeleton: aliases, updates, export, expiry, settings.
extern "C" {

int li_image_alias_rename(li_manager* mgr, const char* project, const char* alias, const char* new_name,
                          li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->images().rename_alias(project_arg(project), required(alias, "alias"), required(new_name, "new_name"));
    });
}

int li_image_alias_update(li_manager* mgr, const char* project, const char* alias, const char* image_ref,
                          const char* description, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->images().update_alias(project_arg(project), required(alias, "alias"), required(image_ref, "image_ref"),
                                          or_empty(description));
    });
}

int li_image_alias_list_json(char** out_json, li_manager* mgr, const char* project, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->images().list_aliases(project_arg(project))));
    });
}

int li_image_alias_get_json(char** out_json, li_manager* mgr, const char* project, const char* alias, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->images().get_alias(project_arg(project), required(alias, "alias"))));
    });
}

int li_image_update_json(char** out_json, li_manager* mgr, const char* project, const char* ref, const char* put_json,
                         li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        auto put = li::api::image_put_from_json(required(put_json, "put_json"));
        *out_json = to_c_string(li::api::to_json(m.manager_->images().update(project_arg(project), r, put)));
    });
}

int li_image_export(char** out_json, li_manager* mgr, const char* project, const char* ref, const char* target,
                    li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        auto res = m.manager_->images().export_image(project_arg(project), r, std::filesystem::path(or_empty(target)));
        *out_json = to_c_string(li::api::string_map_to_json(
            {{"metadata_path", res.metadata.string()}, {"rootfs_path", res.rootfs.string()}}));
    });
}

int li_image_export_async(li_operation** out, li_manager* mgr, const char* project, const char* ref, const char* target,
                          li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto r = required(ref, "ref");
        auto op = m.manager_->images().export_image_async(project_arg(project), r, std::filesystem::path(or_empty(target)));
        *out = new li_operation{li_operation::kTag, std::move(op)};
    });
}

int li_images_prune(char** out_json, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::strings_to_json(m.manager_->images().prune_expired()));
    });
}

int li_manager_config_json(char** out_json, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::string_map_to_json(m.manager_->config()));
    });
}

int li_manager_config_get(char** out_value, li_manager* mgr, const char* key, li_error** err) {
    return boundary(err, [&] {
        out_param(out_value, "out_value");
        auto& m = checked(mgr, "mgr");
        *out_value = to_c_string(m.manager_->get_config(required(key, "key")));
    });
}

int li_manager_config_set(li_manager* mgr, const char* key, const char* value, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        m.manager_->set_config(required(key, "key"), or_empty(value));
    });
}

}  // extern "C"
