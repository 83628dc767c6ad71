#include "backend/libvirt/libvirt_api.hpp"

#include "libinstance/error.hpp"
#include "sys/shared_library.hpp"

namespace li {

namespace {

// The soname of Debian's libvirt0, the library built against.
constexpr const char* kLibvirt = "libvirt.so.0";

// libvirt prints every error to stderr unless given a handler; errors reach callers as li::Error.
void ignore_error(void*, virErrorPtr) {}

LibvirtApi load_libvirt_api() {
    void* lib = load_shared_library(kLibvirt, "virtual machines");
    LibvirtApi api{};
#define LI_LIBVIRT_FUNCTION(name) api.name = reinterpret_cast<decltype(api.name)>(shared_library_symbol(lib, kLibvirt, #name));
#include "backend/libvirt/libvirt_functions.def"
#undef LI_LIBVIRT_FUNCTION
    if (api.virInitialize() != 0) throw Error(ErrorCode::Backend, "libvirt: initialisation failed");
    api.virSetErrorFunc(nullptr, ignore_error);
    return api;
}

}  // namespace

const LibvirtApi& libvirt() {
    // A failed load throws out of the initialiser, so the next call tries again.
    static const LibvirtApi api = load_libvirt_api();
    return api;
}

}  // namespace li
