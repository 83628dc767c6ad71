#pragma once
// Sizes as LXD writes them: "5GiB", "500MB", "1.5GB", "1048576" (bytes).

#include <cstdint>
#include <string>
#include <string_view>

namespace li {

/// Bytes of an LXD size string; InvalidArgument naming `key` and the value when it is not one.
uint64_t parse_size(std::string_view text, const std::string& key);

}  // namespace li
