#pragma once
// Internals of the C ABI: the tagged handle structs and the boundary every entry point goes through.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "libinstance.h"
#include "libinstance.hpp"

// The handle structs live at global scope because the C header declares them there. Each one
// starts with a tag distinct per type, so a handle of the wrong type (or a freed one, whose tag is
// overwritten) is rejected with LI_ERR_INVALID_ARGUMENT instead of being misused.

struct li_manager {
    static constexpr uint32_t kTag = 0x6c694d47;  // "liMG"
    static constexpr const char* kTypeName = "li_manager";

    uint32_t tag_ = kTag;
    std::shared_ptr<li::Manager> manager_;
    std::string state_dir_;  // what li_manager_state_dir() lends out
};

struct li_instance {
    static constexpr uint32_t kTag = 0x6c69494e;  // "liIN"
    static constexpr const char* kTypeName = "li_instance";

    uint32_t tag_ = kTag;
    li::Instance instance_;  // keeps the manager core (and its lock) alive
};

struct li_exec_result {
    static constexpr uint32_t kTag = 0x6c694558;  // "liEX"
    static constexpr const char* kTypeName = "li_exec_result";

    uint32_t tag_ = kTag;
    int exit_code_ = 0;
    std::string stdout_;  // std::string keeps a NUL after the data, so these are C strings too
    std::string stderr_;
};

struct li_operation {
    static constexpr uint32_t kTag = 0x6c694f50;  // "liOP"
    static constexpr const char* kTypeName = "li_operation";

    uint32_t tag_ = kTag;
    li::Operation operation_;  // shares the operation's state; the operation outlives the handle
};

namespace li::capi {
class EventSink;
}

struct li_subscription {
    static constexpr uint32_t kTag = 0x6c695342;  // "liSB"
    static constexpr const char* kTypeName = "li_subscription";

    uint32_t tag_ = kTag;
    std::unique_ptr<li::Subscription> subscription_;
    // The caller's cb, payload and free_payload. Shared with the delivery thread, which may still
    // be inside the callback after the handle is gone (li_subscription_free() from the callback).
    std::shared_ptr<li::capi::EventSink> sink_;
};

struct li_error {
    static constexpr uint32_t kTag = 0x6c694552;  // "liER"
    static constexpr const char* kTypeName = "li_error";

    uint32_t tag_ = kTag;
    int code_ = LI_ERR_INTERNAL;
    std::string message_;
    std::string key_;
    int errno_ = 0;
};

namespace li::capi {

/// Written over a handle's tag just before it is deleted, so a second free is caught when the
/// memory has not been reused yet.
inline constexpr uint32_t kFreedTag = 0xdeadf7ee;

/// True when h is non-NULL and carries H's tag. Reads only the first four bytes.
template <class H>
bool has_tag(const H* h) noexcept {
    static_assert(std::is_standard_layout_v<H> && offsetof(H, tag_) == 0,
                  "the tag must be the first member of a standard-layout handle");
    if (h == nullptr) {
        return false;
    }
    uint32_t tag = 0;
    std::memcpy(&tag, static_cast<const void*>(h), sizeof tag);
    return tag == H::kTag;
}

/// The handle, or an InvalidArgument error naming the parameter.
template <class H>
H& checked(H* h, const char* param) {
    if (h == nullptr) {
        throw Error(ErrorCode::InvalidArgument, fmt::format("{} is NULL", param), param);
    }
    if (!has_tag(h)) {
        throw Error(ErrorCode::InvalidArgument,
                    fmt::format("{} is not a valid {} handle (wrong type or already freed)",
                                param, H::kTypeName),
                    param);
    }
    return *h;
}

/// Deletes a handle after checking its tag; NULL and foreign pointers are ignored.
template <class H>
void free_handle(H* h) noexcept {
    if (!has_tag(h)) {
        return;
    }
    h->tag_ = kFreedTag;
    delete h;
}

/// Converts the exception being handled into *err (when err is non-NULL); returns -code.
int report_current_exception(li_error** err) noexcept;

/// The recipe of every fallible entry point: clear *err, run body, convert any exception.
template <class Body>
int boundary(li_error** err, Body&& body) noexcept {
    if (err != nullptr) {
        *err = nullptr;
    }
    try {
        body();
        return 0;
    } catch (...) {
        return report_current_exception(err);
    }
}

/// Checks an out-parameter is usable and clears it, so it stays NULL when the call fails.
template <class T>
T** out_param(T** out, const char* param) {
    if (out == nullptr) {
        throw Error(ErrorCode::InvalidArgument, fmt::format("{} is NULL", param), param);
    }
    *out = nullptr;
    return out;
}

/// A string argument that must be given.
inline std::string_view required(const char* s, const char* param) {
    if (s == nullptr) {
        throw Error(ErrorCode::InvalidArgument, fmt::format("{} is NULL", param), param);
    }
    return s;
}

/// An optional string argument: NULL reads as empty.
inline std::string_view or_empty(const char* s) {
    return s == nullptr ? std::string_view{} : std::string_view{s};
}

/// NULL or "" select the default project, as the header promises.
/// A new C handle owning an operation.
inline li_operation* new_handle(li::Operation op) { return new li_operation{li_operation::kTag, std::move(op)}; }

inline std::string_view project_arg(const char* project) {
    return project == nullptr || *project == '\0' ? std::string_view{"default"}
                                                  : std::string_view{project};
}

/// Rejects option structs whose version this library does not know (0 means uninitialised).
template <class Opts>
void check_version(const Opts* opts, unsigned int known, const char* type_name) {
    if (opts != nullptr && (opts->version == 0 || opts->version > known)) {
        throw Error(ErrorCode::InvalidArgument,
                    fmt::format("opts.version {} of {} is not supported (this library knows 1 to "
                                "{}; initialise the struct with its _INIT macro)",
                                opts->version, type_name, known),
                    "opts.version");
    }
}

/// A malloc'ed copy of s for the caller to li_free().
char* to_c_string(std::string_view s);

}  // namespace li::capi
