#pragma once
// libvirt, loaded on first use (see sys/shared_library.hpp for why: libvirt brings gnutls, libxml2
// and more with it, which a program that never runs a VM should not pay for). Call
// `libvirt().virConnectOpen(...)` where code would call `virConnectOpen(...)`.

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace li {

/// The addresses of the libvirt functions listed in libvirt_functions.def, with their exact types
/// taken from libvirt's headers.
struct LibvirtApi {
#define LI_LIBVIRT_FUNCTION(name) decltype(&::name) name;
#include "backend/libvirt/libvirt_functions.def"
#undef LI_LIBVIRT_FUNCTION
};

/// Loads libvirt on the first call and initialises it (thread-safe); NotSupported when libvirt
/// is not installed.
const LibvirtApi& libvirt();

}  // namespace li
