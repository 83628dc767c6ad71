#include "image/archive_api.hpp"

#include "sys/shared_library.hpp"

namespace li {

namespace {

// The soname of the libarchive the library is built against (Debian's libarchive13).
constexpr const char* kLibarchive = "libarchive.so.13";

ArchiveApi load_archive_api() {
    void* lib = load_shared_library(kLibarchive, "image and backup tarballs");
    ArchiveApi api{};
#define LI_ARCHIVE_FUNCTION(name) api.name = reinterpret_cast<decltype(api.name)>(shared_library_symbol(lib, kLibarchive, #name));
#include "image/archive_functions.def"
#undef LI_ARCHIVE_FUNCTION
    return api;
}

}  // namespace

const ArchiveApi& libarchive() {
    // A failed load throws out of the initialiser, so the next call tries again.
    static const ArchiveApi api = load_archive_api();
    return api;
}

}  // namespace li
