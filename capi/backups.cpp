// C ABI: instance and custom volume backups (`lxc export` / `lxc import`, `lxc storage volume
// export|import`); options are JSON documents parsed by the same code for the sync and async forms.

#include "api/backup_json.hpp"
#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::new_handle;
using li::capi::or_empty;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_instance_export_backup(li_instance* inst, const char* target, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto path = required(target, "target");
        auto opts = li::api::backup_export_options_from_json(or_empty(options_json));
        i.instance_.export_backup(std::string(path), opts);
    });
}

int li_instance_export_backup_async(li_operation** out, li_instance* inst, const char* target, const char* options_json,
                                    li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        auto path = required(target, "target");
        auto opts = li::api::backup_export_options_from_json(or_empty(options_json));
        *out = new_handle(i.instance_.export_backup_async(std::string(path), opts));
    });
}

int li_instance_import_backup(li_instance** out, li_manager* mgr, const char* project, const char* path,
                              const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto file = required(path, "path");
        auto opts = li::api::backup_import_options_from_json(or_empty(options_json));
        auto instance = m.manager_->instances().import_backup(project_arg(project), std::string(file), opts);
        *out = new li_instance{li_instance::kTag, std::move(instance)};
    });
}

int li_instance_import_backup_async(li_operation** out, li_manager* mgr, const char* project, const char* path,
                                    const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto file = required(path, "path");
        auto opts = li::api::backup_import_options_from_json(or_empty(options_json));
        *out = new_handle(m.manager_->instances().import_backup_async(project_arg(project), std::string(file), opts));
    });
}

int li_storage_volume_export_backup(li_manager* mgr, const char* project, const char* pool, const char* volume,
                                    const char* target, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto path = required(target, "target");
        auto opts = li::api::backup_export_options_from_json(or_empty(options_json));
        m.manager_->storage_volumes().export_backup(p, v, std::string(path), opts, project_arg(project));
    });
}

int li_storage_volume_export_backup_async(li_operation** out, li_manager* mgr, const char* project, const char* pool,
                                          const char* volume, const char* target, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto v = required(volume, "volume");
        auto path = required(target, "target");
        auto opts = li::api::backup_export_options_from_json(or_empty(options_json));
        *out = new_handle(m.manager_->storage_volumes().export_backup_async(p, v, std::string(path), opts, project_arg(project)));
    });
}

int li_storage_volume_import_backup(char** out_json, li_manager* mgr, const char* project, const char* pool, const char* path,
                                    const char* options_json, li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto file = required(path, "path");
        auto opts = li::api::backup_import_options_from_json(or_empty(options_json));
        auto volume = m.manager_->storage_volumes().import_backup(p, std::string(file), opts, project_arg(project));
        if (out_json) *out_json = to_c_string(li::api::to_json(volume));
    });
}

int li_storage_volume_import_backup_async(li_operation** out, li_manager* mgr, const char* project, const char* pool,
                                          const char* path, const char* options_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto p = required(pool, "pool");
        auto file = required(path, "path");
        auto opts = li::api::backup_import_options_from_json(or_empty(options_json));
        *out = new_handle(m.manager_->storage_volumes().import_backup_async(p, std::string(file), opts, project_arg(project)));
    });
}

}  // extern "C"
