#pragma once
// Timestamps in the RFC 3339 form LXD's API uses.

#include <cstdint>
#include <string>

namespace li {

/// Now, as "2026-11-27T19:48:48.123456Z".
std::string now_rfc3339();
/// Seconds since the epoch as RFC 3339 (UTC).
std::string epoch_to_rfc3339(int64_t seconds);

}  // namespace li
