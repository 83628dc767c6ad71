#pragma once
// Internals of image management shared with tests: timestamps and expiry of cached images.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace li {

class ManagerCore;

/// "2026-11-27T19:48:48.123456Z" or with a "+01:00" offset -> seconds since the epoch.
std::optional<int64_t> rfc3339_to_epoch(std::string_view text);

/// ImageStore::prune_expired() as of `now` (seconds since the epoch).
std::vector<std::string> prune_expired_images(const std::shared_ptr<ManagerCore>& core, int64_t now);

}  // namespace li
