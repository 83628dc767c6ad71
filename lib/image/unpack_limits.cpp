#include "image/unpack_limits.hpp"

#include <algorithm>
#include <string>

#include "core/server_config.hpp"

namespace li {

uint64_t UnpackLimits::limit_for(uint64_t compressed_size) const {
    if (max_ratio == 0) return max_bytes;
    uint64_t by_ratio = compressed_size > UINT64_MAX / max_ratio ? UINT64_MAX : compressed_size * max_ratio;
    return std::min(max_bytes, std::max(by_ratio, ratio_floor));
}

UnpackLimits unpack_limits(ManagerCore& core) {
    UnpackLimits limits;
    limits.max_ratio = std::stoull(server_config_get(core, "images.unpack_max_ratio"));
    limits.max_bytes = parse_byte_size("images.unpack_max_size", server_config_get(core, "images.unpack_max_size"));
    return limits;
}

}  // namespace li
