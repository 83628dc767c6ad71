// C ABI: files inside an instance (li_instance_file_*).

#include <limits>
#include <string>

#include "api/file_json.hpp"
#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::check_version;
using li::capi::checked;
using li::capi::required;
using li::capi::to_c_string;

namespace {

uint32_t id_of(int64_t v, const char* key) {
    if (v < 0 || v > std::numeric_limits<uint32_t>::max())
        throw li::Error::invalid(key, fmt::format("opts.{} {} is out of range (-1 for the default, or 0 to 4294967295)", key, v));
    return static_cast<uint32_t>(v);
}

li::FileOptions file_options(const li_file_opts* opts) {
    check_version(opts, LI_FILE_OPTS_VERSION, "li_file_opts");
    li::FileOptions o;
    if (opts == nullptr) return o;
    if (opts->uid != -1) o.uid = id_of(opts->uid, "uid");
    if (opts->gid != -1) o.gid = id_of(opts->gid, "gid");
    if (opts->mode != -1) {
        if (opts->mode < 0 || opts->mode > 07777)
            throw li::Error::invalid("mode", fmt::format("opts.mode {:o} is not a permission mode (0 to 07777, or -1)", opts->mode));
        o.mode = static_cast<uint32_t>(opts->mode);
    }
    o.create_parents = opts->create_parents != 0;
    return o;
}

}  // namespace

extern "C" {

int li_instance_file_push(li_instance* inst, const char* path, int fd, const li_file_opts* opts, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto p = required(path, "path");
        if (fd < 0) throw li::Error::invalid("fd", fmt::format("fd {} is not a file descriptor", fd));
        i.instance_.file_push(p, fd, file_options(opts));
    });
}

int li_instance_file_push_data(li_instance* inst, const char* path, const void* data, size_t len, const li_file_opts* opts,
                               li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto p = required(path, "path");
        if (data == nullptr && len != 0) throw li::Error::invalid("data", fmt::format("data is NULL but len is {}", len));
        i.instance_.file_push_data(p, std::string_view(static_cast<const char*>(data), data ? len : 0), file_options(opts));
    });
}

int li_instance_file_pull(char** out_info_json, li_instance* inst, const char* path, int fd, li_error** err) {
    return boundary(err, [&] {
        if (out_info_json != nullptr) *out_info_json = nullptr;
        auto& i = checked(inst, "inst");
        auto info = i.instance_.file_pull(required(path, "path"), fd);
        if (out_info_json != nullptr) *out_info_json = to_c_string(li::api::to_json(info));
    });
}

int li_instance_file_stat_json(char** out_json, li_instance* inst, const char* path, li_error** err) {
    return boundary(err, [&] {
        li::capi::out_param(out_json, "out_json");
        auto& i = checked(inst, "inst");
        *out_json = to_c_string(li::api::to_json(i.instance_.file_stat(required(path, "path"))));
    });
}

int li_instance_file_delete(li_instance* inst, const char* path, li_error** err) {
    return boundary(err, [&] { checked(inst, "inst").instance_.file_delete(required(path, "path")); });
}

int li_instance_file_mkdir(li_instance* inst, const char* path, const li_file_opts* opts, li_error** err) {
    return boundary(err, [&] { checked(inst, "inst").instance_.file_mkdir(required(path, "path"), file_options(opts)); });
}

int li_instance_file_symlink(li_instance* inst, const char* path, const char* target, const li_file_opts* opts,
                             li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.file_symlink(required(path, "path"), required(target, "target"), file_options(opts));
    });
}

int li_instance_file_push_tree(li_instance* inst, const char* source, const char* path, const li_file_opts* opts,
                               li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.file_push_tree(std::string(required(source, "source")), required(path, "path"), file_options(opts));
    });
}

int li_instance_file_pull_tree(li_instance* inst, const char* path, const char* target, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.file_pull_tree(required(path, "path"), std::string(required(target, "target")));
    });
}

}  // extern "C"
