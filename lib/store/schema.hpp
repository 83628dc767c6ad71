#pragma once
// The ordered schema migrations of the state database.

#include <span>
#include <string_view>

namespace li {

/// Migration i (0-based) brings the schema from version i to version i+1. Append only.
std::span<const std::string_view> schema_migrations();

}  // namespace li
