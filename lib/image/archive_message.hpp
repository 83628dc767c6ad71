#pragma once
// libarchive's last error as text: libarchive().archive_error_string() returns NULL when libarchive set no
// message (seen with corrupt input), and a NULL must never reach fmt.

#include "image/archive_api.hpp"

namespace li {

inline const char* archive_message(archive* a) {
    const char* message = libarchive().archive_error_string(a);
    return message ? message : "unknown error";
}

}  // namespace li
