#pragma once
// How much an untrusted image may unpack to: the defence against decompression bombs.

#include <cstdint>
#include <string>

namespace li {

class ManagerCore;

/// An archive is refused when what it unpacks to exceeds max_bytes, or exceeds both max_ratio
/// times the archive's size on disk and ratio_floor (small images of empty files legitimately
/// compress very well; a bomb is large by definition).
struct UnpackLimits {
    uint64_t max_ratio = 100;
    uint64_t max_bytes = uint64_t{64} << 30;
    uint64_t ratio_floor = uint64_t{1} << 30;

    /// The limit for an archive of compressed_size bytes, and why it is that (for messages).
    uint64_t limit_for(uint64_t compressed_size) const;
};

/// The limits the manager's settings (images.unpack_max_ratio, images.unpack_max_size) give.
UnpackLimits unpack_limits(ManagerCore& core);

}  // namespace li
