#pragma once
// Shared libraries opened when first needed instead of at process start.
//
// libarchive and libcurl bring about 5 MiB of resident pages with them (gnutls, p11-kit, krb5,
// libxml2 and ICU are loaded and initialised by their dependencies), which a daemon that idles, or
// a program that embeds the library and never touches an image tarball or an image server, should
// not pay for. Those two are therefore reached through tables of function pointers filled by
// dlopen/dlsym on first use (lib/image/archive_api.hpp, lib/remote/curl_api.hpp).

namespace li {

/// dlopen(soname) once per process (the handle is never closed). NotSupported, naming the soname
/// and what needed it, when the library cannot be loaded.
void* load_shared_library(const char* soname, const char* needed_for);

/// The address of symbol `name` in `library`; Internal error naming both when it is missing (an
/// older library than the one built against).
void* shared_library_symbol(void* library, const char* soname, const char* name);

}  // namespace li
