#include "remote/curl_api.hpp"

#include "sys/shared_library.hpp"

namespace li {

namespace {

// The soname of the libcurl the library is built against (Debian's libcurl4, OpenSSL flavour).
constexpr const char* kLibcurl = "libcurl.so.4";

template <typename Fn>
void resolve(void* lib, Fn& slot, const char* name) {
    slot = reinterpret_cast<Fn>(shared_library_symbol(lib, kLibcurl, name));
}

CurlApi load_curl_api() {
    void* lib = load_shared_library(kLibcurl, "image servers (remotes)");
    CurlApi api{};
    resolve(lib, api.curl_global_init, "curl_global_init");
    resolve(lib, api.curl_easy_init, "curl_easy_init");
    resolve(lib, api.curl_easy_cleanup, "curl_easy_cleanup");
    resolve(lib, api.curl_easy_setopt, "curl_easy_setopt");
    resolve(lib, api.curl_easy_getinfo, "curl_easy_getinfo");
    resolve(lib, api.curl_easy_perform, "curl_easy_perform");
    resolve(lib, api.curl_easy_strerror, "curl_easy_strerror");
    // Once per process, before any handle, as libcurl asks (it is not thread-safe to race).
    api.curl_global_init(CURL_GLOBAL_DEFAULT);
    return api;
}

}  // namespace

const CurlApi& libcurl() {
    static const CurlApi api = load_curl_api();
    return api;
}

}  // namespace li
