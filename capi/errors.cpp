// C ABI: version, li_free, li_error and the exception-to-error conversion at the boundary.

#include <array>
#include <cstdlib>
#include <new>
#include <string>

#include "capi_internal.hpp"

#ifndef LI_VERSION
#error "LI_VERSION must be defined by the build"
#endif

namespace li::capi {
namespace {

// Handed out when even the error cannot be allocated; li_error_free() knows not to delete it.
li_error g_out_of_memory{li_error::kTag, LI_ERR_INTERNAL, "out of memory", "", 0};

int code_of(ErrorCode code) noexcept {
    int value = static_cast<int>(code);
    return value >= LI_ERR_NOT_FOUND && value <= LI_ERR_INTERNAL ? value : LI_ERR_INTERNAL;
}

int report(li_error** err, int code, std::string_view message, std::string_view key,
           int sys_errno) noexcept {
    if (err != nullptr) {
        try {
            auto e = std::make_unique<li_error>();
            e->code_ = code;
            e->message_ = message;
            // The key names what is at fault for any code (a bad field, the missing or busy
            // object); errno is promised only for System.
            e->key_ = key;
            if (code == LI_ERR_SYSTEM) {
                e->errno_ = sys_errno;
            }
            *err = e.release();
        } catch (...) {
            *err = &g_out_of_memory;
        }
    }
    return -code;
}

}  // namespace

int report_current_exception(li_error** err) noexcept {
    try {
        throw;
    } catch (const Error& e) {
        return report(err, code_of(e.code()), e.what(), e.key(), e.sys_errno());
    } catch (const std::bad_alloc&) {
        return report(err, LI_ERR_INTERNAL, "out of memory", {}, 0);
    } catch (const std::exception& e) {
        try {
            return report(err, LI_ERR_INTERNAL, fmt::format("internal error: {}", e.what()), {}, 0);
        } catch (...) {
            return report(err, LI_ERR_INTERNAL, "internal error", {}, 0);
        }
    } catch (...) {
        return report(err, LI_ERR_INTERNAL, "internal error: unknown exception", {}, 0);
    }
}

char* to_c_string(std::string_view s) {
    auto* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

}  // namespace li::capi

using li::capi::has_tag;

extern "C" {

const char* li_version(void) {
    return LI_VERSION;
}

void li_free(void* ptr) {
    std::free(ptr);
}

int li_error_code(const li_error* err) {
    return has_tag(err) ? err->code_ : LI_ERR_INTERNAL;
}

const char* li_error_message(const li_error* err) {
    return has_tag(err) ? err->message_.c_str() : "invalid li_error handle";
}

int li_error_errno(const li_error* err) {
    return has_tag(err) ? err->errno_ : 0;
}

const char* li_error_key(const li_error* err) {
    return has_tag(err) ? err->key_.c_str() : "";
}

const char* li_status_name(int code) {
    // Names come from the C++ core (one source of truth), copied once into storage that lives
    // as long as the library so the returned pointers are static as the header promises.
    static const auto names = [] {
        std::array<std::string, LI_ERR_INTERNAL + 1> n;
        n[LI_OK] = "OK";
        for (int c = LI_ERR_NOT_FOUND; c <= LI_ERR_INTERNAL; ++c) {
            try {
                n[c] = std::string(li::error_code_name(static_cast<li::ErrorCode>(c)));
            } catch (...) {
                n[c] = "Unknown";
            }
        }
        return n;
    }();
    if (code < LI_OK || code > LI_ERR_INTERNAL) {
        return "Unknown";
    }
    return names[code].c_str();
}

void li_error_free(li_error* err) {
    if (err == &li::capi::g_out_of_memory) {
        return;
    }
    li::capi::free_handle(err);
}

}  // extern "C"
