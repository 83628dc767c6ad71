#pragma once
// Value checks of config keys, in LXD's formats. Each returns "" when the value is valid, else
// the reason (the caller names the key and the value).

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace li::config {

using Validator = std::function<std::string(std::string_view value)>;

std::string check_any(std::string_view value);
std::string check_bool(std::string_view value);
std::string check_int(std::string_view value);
std::string check_uint(std::string_view value);
/// An LXD size: "64MB", "1GiB", bytes.
std::string check_size(std::string_view value);
/// A size or a percentage of the host's ("50%").
std::string check_size_or_percent(std::string_view value);
/// A CPU count ("2") or an explicit set ("0-1,3").
std::string check_cpu_limit(std::string_view value);
/// A CPU set only ("0-1,3").
std::string check_cpu_set(std::string_view value);
/// A percentage ("50%") or a quota ("25ms/100ms").
std::string check_cpu_allowance(std::string_view value);
/// A priority 0..10.
std::string check_priority(std::string_view value);
/// A network rate ("10Mbit", "1Gbit", "100kbit", bits per second).
std::string check_bit_rate(std::string_view value);

/// Accepts an unsigned integer within [min, max].
Validator uint_range(uint64_t min, uint64_t max);
/// Accepts one of the given words.
Validator one_of(std::initializer_list<std::string_view> words);
/// Accepts what any of the validators accepts.
Validator either(Validator a, Validator b);
/// Accepts the empty string, and otherwise what inner accepts.
Validator optional(Validator inner);

/// True for LXD's true spellings ("true", "1", "yes", "on").
bool is_true(std::string_view value);

}  // namespace li::config
