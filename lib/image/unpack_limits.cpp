#include "image/unpack_limits.hpp"

#include <algorithm>
#include <string>

#include "core/server_config.hpp"

namespace li {

UnpackLimits unpack_limits(ManagerCore& core) {
    UnpackLimits limits;
    limits.max_ratio = std::stoull(server_config_get(core, "images.unpack_max_ratio"));
    limits.max_bytes = parse_byte_size("images.unpack_max_size", server_config_get(core, "images.unpack_max_size"));
    return limits;
}

}  // namespace li
