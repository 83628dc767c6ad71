// C ABI: running commands in an instance (li_instance_exec, li_instance_exec_terminal and
// li_exec_result); their li_exec_control is in exec_control.cpp.

#include <string>
#include <vector>

#include "capi_internal.hpp"
#include "exec_control.hpp"
#include "terminal_pump.hpp"

using li::capi::boundary;
using li::capi::check_version;
using li::capi::checked;
using li::capi::has_tag;
using li::capi::out_param;

namespace {

std::vector<std::string> argv_of(const char* const* argv) {
    if (argv == nullptr || argv[0] == nullptr) {
        throw li::Error(li::ErrorCode::InvalidArgument,
                        argv == nullptr ? "argv is NULL" : "argv is empty (argv[0] is NULL)",
                        "argv");
    }
    std::vector<std::string> args;
    for (auto p = argv; *p != nullptr; ++p) {
        args.emplace_back(*p);
    }
    return args;
}

li::ExecOptions exec_options(const li_exec_opts* opts) {
    check_version(opts, LI_EXEC_OPTS_VERSION, "li_exec_opts");
    li::ExecOptions o;
    if (opts == nullptr) {
        return o;
    }
    if (opts->env != nullptr) {
        for (auto p = opts->env; *p != nullptr; ++p) {
            std::string_view entry{*p};
            // An entry without '=' would be silently dropped or misread by the init's execve.
            if (entry.find('=') == std::string_view::npos || entry.front() == '=') {
                throw li::Error(li::ErrorCode::InvalidArgument,
                                fmt::format("opts.env entry '{}' is not KEY=VALUE", entry),
                                "opts.env");
            }
            o.env.emplace_back(entry);
        }
    }
    if (opts->cwd != nullptr) {
        o.cwd = opts->cwd;
    }
    if (opts->stdin_data != nullptr) {
        o.stdin_data.emplace(static_cast<const char*>(opts->stdin_data), opts->stdin_len);
    } else if (opts->stdin_len != 0) {
        throw li::Error(li::ErrorCode::InvalidArgument,
                        fmt::format("opts.stdin_data is NULL but opts.stdin_len is {}",
                                    opts->stdin_len),
                        "opts.stdin_data");
    }
    o.stdin_fd = opts->stdin_fd;
    o.stdout_fd = opts->stdout_fd;
    o.stderr_fd = opts->stderr_fd;
    o.uid = opts->uid;
    o.gid = opts->gid;
    return o;
}

/// opts.control, which only version 2 and later of the struct have.
li_exec_control* control_of(const li_exec_opts* opts) {
    return opts != nullptr && opts->version >= 2 ? opts->control : nullptr;
}

const char* stream_of(const li_exec_result* res, const std::string li_exec_result::*member,
                      size_t* len) {
    if (!has_tag(res)) {
        if (len != nullptr) {
            *len = 0;
        }
        return nullptr;
    }
    const std::string& s = res->*member;
    if (len != nullptr) {
        *len = s.size();
    }
    return s.c_str();
}

}  // namespace

extern "C" {

int li_instance_exec(li_exec_result** out, li_instance* inst, const char* const* argv,
                     const li_exec_opts* opts, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        auto args = argv_of(argv);
        auto options = exec_options(opts);
        li::capi::ExecControlUse control(control_of(opts), options);
        auto result = i.instance_.exec(args, options);
        auto handle = std::make_unique<li_exec_result>();
        handle->exit_code_ = result.exit_code;
        handle->stdout_ = std::move(result.stdout_data);
        handle->stderr_ = std::move(result.stderr_data);
        *out = handle.release();
    });
}

int li_instance_exec_terminal(li_exec_result** out, li_instance* inst, const char* const* argv,
                              const li_exec_opts* opts, const li_terminal_opts* term, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        auto args = argv_of(argv);
        auto options = exec_options(opts);
        check_version(term, LI_TERMINAL_OPTS_VERSION, "li_terminal_opts");
        if (options.stderr_fd >= 0) {
            throw li::Error(li::ErrorCode::InvalidArgument,
                            "opts.stderr_fd must be -1: a terminal merges stderr into stdout",
                            "opts.stderr_fd");
        }
        li::ConsoleOptions size;
        if (term != nullptr) {
            size.width = term->width;
            size.height = term->height;
        }
        li::capi::ExecControlUse control(control_of(opts), options);
        std::string input = options.stdin_data.value_or(std::string());
        auto run = li::capi::run_on_terminal(i.instance_, args, options, size, std::move(input),
                                             options.stdin_fd, options.stdout_fd);
        auto handle = std::make_unique<li_exec_result>();
        handle->exit_code_ = run.exit_code;
        handle->stdout_ = std::move(run.output);
        *out = handle.release();
    });
}

int li_exec_result_exit_code(const li_exec_result* res) {
    return has_tag(res) ? res->exit_code_ : -1;
}

const char* li_exec_result_stdout(const li_exec_result* res, size_t* len) {
    return stream_of(res, &li_exec_result::stdout_, len);
}

const char* li_exec_result_stderr(const li_exec_result* res, size_t* len) {
    return stream_of(res, &li_exec_result::stderr_, len);
}

void li_exec_result_free(li_exec_result* res) {
    li::capi::free_handle(res);
}

}  // extern "C"
