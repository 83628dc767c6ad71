// C ABI: li_operation (inspect, wait, cancel, list, look up) and the _async entry points that
// start one. Each _async call validates and converts its arguments exactly as its synchronous
// twin does, so a bad argument fails the call itself, never the operation.

#include <chrono>
#include <filesystem>

#include "capi_internal.hpp"
#include "options.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::has_tag;
using li::capi::new_handle;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

const char* li_operation_id(const li_operation* op) {
    return has_tag(op) ? op->operation_.id().c_str() : nullptr;
}

int li_operation_get_json(char** out_json, li_operation* op, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& o = checked(op, "op");
        *out_json = to_c_string(li::api::to_json(o.operation_.info()));
    });
}

int li_operation_wait(li_operation* op, int64_t timeout_ms, li_error** err) {
    return boundary(err, [&] {
        auto& o = checked(op, "op");
        // Past ~31 years the deadline (now + timeout in nanoseconds) would overflow into the past
        // and time out at once; such a wait is a wait for ever.
        constexpr int64_t kLongestFiniteMs = 1'000'000'000'000;
        bool forever = timeout_ms < 0 || timeout_ms > kLongestFiniteMs;
        auto timeout = std::chrono::milliseconds{forever ? -1 : timeout_ms};
        if (!o.operation_.wait(timeout)) {
            throw li::Error(li::ErrorCode::Timeout,
                            fmt::format("operation {} ({}) is still running after {} ms",
                                        o.operation_.id(), o.operation_.info().description,
                                        timeout_ms));
        }
        // Ended: get() throws the operation's own error (Cancelled, Failure's cause) if any.
        o.operation_.get();
    });
}

int li_operation_cancel(li_operation* op, li_error** err) {
    return boundary(err, [&] { checked(op, "op").operation_.cancel(); });
}

void li_operation_free(li_operation* op) {
    li::capi::free_handle(op);
}

int li_operation_list_json(char** out_json, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(m.manager_->operations().list()));
    });
}

int li_operation_get(li_operation** out, li_manager* mgr, const char* id, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        std::string key{required(id, "id")};
        *out = new_handle(m.manager_->operations().get(key));
    });
}

int li_image_build_async(li_operation** out, li_manager* mgr, const char* project,
                         const char* builder, const li_image_build_opts* opts, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto o = li::capi::build_options(builder, opts);
        *out = new_handle(m.manager_->images().build_async(project_arg(project), o));
    });
}

int li_image_import_async(li_operation** out, li_manager* mgr, const char* project,
                          const char* path, const li_image_import_opts* opts, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        std::filesystem::path file{required(path, "path")};
        auto o = li::capi::import_options(opts);
        *out = new_handle(m.manager_->images().import_file_async(project_arg(project), file, o));
    });
}

int li_instance_create_json_async(li_operation** out, li_manager* mgr, const char* project,
                                  const char* instances_post_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        // Parsed here, synchronously: a bad document fails this call, as the header promises.
        auto post = li::api::instances_post_from_json(
            required(instances_post_json, "instances_post_json"));
        *out = new_handle(m.manager_->instances().create_async(project_arg(project), post));
    });
}

int li_instance_start_async(li_operation** out, li_instance* inst, const li_start_opts* opts,
                            li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.start_async(li::capi::start_options(opts)));
    });
}

int li_instance_stop_async(li_operation** out, li_instance* inst, const li_stop_opts* opts,
                           li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.stop_async(li::capi::stop_options(opts)));
    });
}

int li_instance_restart_async(li_operation** out, li_instance* inst, const li_stop_opts* opts,
                              li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.restart_async(li::capi::stop_options(opts)));
    });
}

int li_instance_delete_async(li_operation** out, li_instance* inst, const li_delete_opts* opts,
                             li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.remove_async(li::capi::delete_options(opts)));
    });
}

int li_instance_move_pool_async(li_operation** out, li_instance* inst, const char* pool, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = new_handle(i.instance_.move_to_pool_async(required(pool, "pool")));
    });
}

}  // extern "C"
