// C ABI: the console of an instance (li_console), its console log and its log files.

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::check_version;
using li::capi::checked;
using li::capi::has_tag;
using li::capi::out_param;
using li::capi::required;
using li::capi::to_c_string;

// Defined here rather than in capi_internal.hpp: no other part of the C ABI handles consoles.
struct li_console {
    static constexpr uint32_t kTag = 0x6c69434e;  // "liCN"
    static constexpr const char* kTypeName = "li_console";

    uint32_t tag_ = kTag;
    li::Console console_;
};

namespace {

void give_bytes(char** out, size_t* out_len, const std::string& data) {
    *out = to_c_string(data);
    if (out_len != nullptr) *out_len = data.size();
}

}  // namespace

extern "C" {

int li_instance_console(li_console** out, li_instance* inst, const li_console_opts* opts, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        check_version(opts, LI_CONSOLE_OPTS_VERSION, "li_console_opts");
        li::ConsoleOptions o;
        if (opts != nullptr) {
            o.width = opts->width;
            o.height = opts->height;
        }
        *out = new li_console{li_console::kTag, i.instance_.console(o)};
    });
}

int li_console_fd(const li_console* console) { return has_tag(console) ? console->console_.fd() : -1; }

int li_console_resize(li_console* console, uint32_t width, uint32_t height, li_error** err) {
    return boundary(err, [&] {
        auto& c = checked(console, "console");
        c.console_.resize(width, height);
    });
}

void li_console_free(li_console* console) { li::capi::free_handle(console); }

int li_instance_console_log(char** out, size_t* out_len, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        give_bytes(out, out_len, i.instance_.console_log());
    });
}

int li_instance_console_log_clear(li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.clear_console_log();
    });
}

int li_instance_log_files_json(char** out_json, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& i = checked(inst, "inst");
        *out_json = to_c_string(li::api::strings_to_json(i.instance_.log_files()));
    });
}

int li_instance_log_file(char** out, size_t* out_len, li_instance* inst, const char* name, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        give_bytes(out, out_len, i.instance_.log_file(required(name, "name")));
    });
}

}  // extern "C"
