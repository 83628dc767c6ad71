#pragma once
// Timestamps in the RFC 3339 form LXD's API uses.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace li {

/// Now, as "2026-11-27T19:48:48.123456Z".
std::string now_rfc3339();
/// Seconds since the epoch as RFC 3339 (UTC).
std::string epoch_to_rfc3339(int64_t seconds);

/// Seconds since the epoch of an RFC 3339 time ("2026-12-01T10:00:00Z", with a fraction or a
/// "+01:00" offset); nullopt when it is not one.
std::optional<int64_t> rfc3339_to_epoch(std::string_view text);
/// Refuses (InvalidArgument naming `key`) a non-empty text that is not an RFC 3339 time.
void check_rfc3339(std::string_view text, const std::string& key);
/// The time `expiry` after `from` (epoch seconds), as RFC 3339: LXD's snapshots.expiry
/// expressions, units M (minutes), H (hours), d, w, m (months), y, e.g. "1w 2d". "" gives "".
/// InvalidArgument naming `key` for anything else.
std::string expiry_after(std::string_view expiry, int64_t from, const std::string& key);
/// Checks an expiry expression (as expiry_after does): the error text, or "" when it is fine.
std::string check_expiry(std::string_view expiry);

}  // namespace li
