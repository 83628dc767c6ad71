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

/// ImageStore::prune_expired() as of `now` (seconds since the epoch).
std::vector<std::string> prune_expired_images(const std::shared_ptr<ManagerCore>& core, int64_t now);

}  // namespace li
