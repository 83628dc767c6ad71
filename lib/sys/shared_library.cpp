#include "sys/shared_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

void* load_shared_library(const char* soname, const char* needed_for) {
    // RTLD_LOCAL: the symbols stay private to the tables that look them up, so a program that
    // links its own copy of the library is not affected.
    void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        throw Error(ErrorCode::NotSupported,
                    fmt::format("{} is needed for {} but cannot be loaded: {}", soname, needed_for, why ? why : "unknown error"));
    }
    return handle;
}

void* shared_library_symbol(void* library, const char* soname, const char* name) {
    ::dlerror();
    void* address = ::dlsym(library, name);
    if (!address) throw Error(ErrorCode::Internal, fmt::format("{} has no symbol {}", soname, name));
    return address;
}

}  // namespace li
