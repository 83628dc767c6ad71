#pragma once
// Messages that carry descriptors over a unix socket (SCM_RIGHTS). Plain functions with no
// dependency on the rest of the library: libinstance-helper compiles this file too.

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace li {

/// Sends text as one message with fds attached (none when count is 0), MSG_NOSIGNAL | extra_flags.
/// 0, or the errno (EMSGSIZE for a short send).
int send_with_fds(int sock, std::string_view text, const int* fds, size_t count, int extra_flags = 0);

/// Receives one message of at most max_bytes into text; the descriptors it carried are appended
/// to fds, close-on-exec (those beyond max_fds are closed by the kernel). Retries on EINTR.
/// Returns the bytes read (0: the peer closed), or -1 with errno set. truncated, when given, says
/// whether the text or the descriptors were cut short.
ssize_t receive_with_fds(int sock, std::string& text, size_t max_bytes, std::vector<int>& fds, size_t max_fds,
                         bool* truncated = nullptr);

}  // namespace li
