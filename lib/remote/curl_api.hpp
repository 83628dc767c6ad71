#pragma once
// libcurl, loaded on first use (see sys/shared_library.hpp for why): call
// `libcurl().curl_easy_init()` where code would call `curl_easy_init()`.

// curl.h otherwise turns curl_easy_setopt/getinfo into type-checking macros, which would also
// rewrite the table's members of the same names.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

namespace li {

struct CurlApi {
    decltype(&::curl_global_init) curl_global_init;
    decltype(&::curl_easy_init) curl_easy_init;
    decltype(&::curl_easy_cleanup) curl_easy_cleanup;
    decltype(&::curl_easy_setopt) curl_easy_setopt;
    decltype(&::curl_easy_getinfo) curl_easy_getinfo;
    decltype(&::curl_easy_perform) curl_easy_perform;
    decltype(&::curl_easy_strerror) curl_easy_strerror;
};

/// Loads libcurl and runs curl_global_init on the first call (thread-safe); NotSupported when
/// libcurl is not installed.
const CurlApi& libcurl();

}  // namespace li
