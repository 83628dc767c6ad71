#pragma once
// Sizes and timestamps written the way lxc writes them.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace li::cli {

/// 1536 -> "1.50KiB", 512 -> "512B" (LXD's units.GetByteSizeStringIEC with precision 2).
std::string size_iec(int64_t bytes);
/// 1500 -> "1.50kB" (LXD's units.GetByteSizeString with precision 2, as network counters show).
std::string size_si(int64_t bytes);

/// Seconds since the epoch of an RFC 3339 timestamp; nullopt when empty, unparsable or unset
/// (LXD treats times at or before the epoch, like 0001-01-01T00:00:00Z, as unset).
std::optional<std::time_t> parse_rfc3339(const std::string& text);

/// "2006/01/02 15:04 MST" in local time, as `lxc info` shows Created / Last Used.
std::string format_info_time(std::time_t t);
/// "2006/01/02 15:04 UTC", as `lxc image info` shows timestamps.
std::string format_utc_time(std::time_t t);
/// "01-02|15:04:05" in local time, the timestamp of log15's terminal format (`lxc monitor --pretty`).
std::string format_log_time(std::time_t t);
/// "Jan 2, 2006 at 3:04pm (UTC)", as `lxc image list` shows the upload date.
std::string format_upload_date(std::time_t t);

}  // namespace li::cli
