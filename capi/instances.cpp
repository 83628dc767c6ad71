// C ABI: li_instance (create, look up, list, identity, state, lifecycle).

#include "capi_internal.hpp"
#include "options.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::has_tag;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_instance_create_json(li_instance** out, li_manager* mgr, const char* project,
                            const char* instances_post_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto post = li::api::instances_post_from_json(
            required(instances_post_json, "instances_post_json"));
        auto instance = m.manager_->instances().create(project_arg(project), post);
        *out = new li_instance{li_instance::kTag, std::move(instance)};
    });
}

int li_instance_get(li_instance** out, li_manager* mgr, const char* project, const char* name,
                    li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto instance = m.manager_->instances().get(project_arg(project), required(name, "name"));
        *out = new li_instance{li_instance::kTag, std::move(instance)};
    });
}

int li_instance_list_json(char** out_json, li_manager* mgr, const char* project,
                          unsigned int flags, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        if ((flags & ~static_cast<unsigned int>(LI_LIST_WITH_STATE)) != 0) {
            throw li::Error(li::ErrorCode::InvalidArgument,
                            fmt::format("flags {:#x} has unknown bits", flags), "flags");
        }
        bool with_state = (flags & LI_LIST_WITH_STATE) != 0;
        *out_json = to_c_string(
            li::api::to_json(m.manager_->instances().list(project_arg(project), with_state)));
    });
}

const char* li_instance_name(const li_instance* inst) {
    return has_tag(inst) ? inst->instance_.name().c_str() : nullptr;
}

const char* li_instance_project(const li_instance* inst) {
    return has_tag(inst) ? inst->instance_.project().c_str() : nullptr;
}

int li_instance_get_json(char** out_json, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& i = checked(inst, "inst");
        *out_json = to_c_string(li::api::to_json(i.instance_.info()));
    });
}

int li_instance_state_json(char** out_json, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& i = checked(inst, "inst");
        *out_json = to_c_string(li::api::to_json(i.instance_.state()));
    });
}

int li_instance_status_code(int* out_code, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        if (out_code == nullptr) {
            throw li::Error(li::ErrorCode::InvalidArgument, "out_code is NULL", "out_code");
        }
        auto& i = checked(inst, "inst");
        *out_code = i.instance_.state().status_code;
    });
}

int li_instance_start(li_instance* inst, const li_start_opts* opts, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.start(li::capi::start_options(opts));
    });
}

int li_instance_stop(li_instance* inst, const li_stop_opts* opts, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.stop(li::capi::stop_options(opts));
    });
}

int li_instance_restart(li_instance* inst, const li_stop_opts* opts, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.restart(li::capi::stop_options(opts));
    });
}

int li_instance_delete(li_instance* inst, const li_delete_opts* opts, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.remove(li::capi::delete_options(opts));
    });
}

void li_instance_free(li_instance* inst) {
    li::capi::free_handle(inst);
}

}  // extern "C"
