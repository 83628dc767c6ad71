#include "config/validators.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <vector>

#include "libinstance/error.hpp"
#include "storage/size.hpp"

namespace li::config {

namespace {

bool parse_u64(std::string_view s, uint64_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

bool is_percent(std::string_view v) {
    if (v.size() < 2 || v.back() != '%') return false;
    uint64_t n = 0;
    return parse_u64(v.substr(0, v.size() - 1), n) && n <= 100;
}

}  // namespace

std::string check_any(std::string_view) { return {}; }

std::string check_bool(std::string_view v) {
    static const std::vector<std::string_view> words = {"true", "false", "1", "0", "yes", "no", "on", "off"};
    return std::find(words.begin(), words.end(), v) != words.end() ? "" : "not a boolean (true or false)";
}

bool is_true(std::string_view v) { return v == "true" || v == "1" || v == "yes" || v == "on"; }

std::string check_int(std::string_view v) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    return !v.empty() && ec == std::errc() && p == v.data() + v.size() ? "" : "not an integer";
}

std::string check_uint(std::string_view v) {
    uint64_t n = 0;
    return parse_u64(v, n) ? "" : "not a non-negative integer";
}

std::string check_size(std::string_view v) {
    try {
        parse_size(v, "value");
        return {};
    } catch (const Error&) {
        return "not a size (e.g. 64MB, 1GiB or bytes)";
    }
}

std::string check_size_or_percent(std::string_view v) {
    if (is_percent(v)) return {};
    return check_size(v).empty() ? "" : "not a size or a percentage (e.g. 512MiB or 50%)";
}

std::string check_cpu_set(std::string_view v) {
    if (v.empty()) return "an empty CPU set";
    size_t start = 0;
    while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string_view part = v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t dash = part.find('-');
        uint64_t a = 0, b = 0;
        bool ok = dash == std::string_view::npos ? parse_u64(part, a)
                                                   : parse_u64(part.substr(0, dash), a) && parse_u64(part.substr(dash + 1), b) && a <= b;
        if (!ok) return "not a CPU set (e.g. 0-1,3)";
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return {};
}

std::string check_cpu_limit(std::string_view v) {
    uint64_t n = 0;
    if (parse_u64(v, n)) return n > 0 ? "" : "a CPU count must be at least 1";
    return check_cpu_set(v).empty() ? "" : "not a CPU count or a CPU set (e.g. 2 or 0-1,3)";
}

std::string check_cpu_allowance(std::string_view v) {
    if (is_percent(v)) return {};
    size_t slash = v.find('/');
    auto ms = [](std::string_view s) {
        uint64_t n = 0;
        return s.size() > 2 && s.substr(s.size() - 2) == "ms" && parse_u64(s.substr(0, s.size() - 2), n) && n > 0;
    };
    if (slash != std::string_view::npos && ms(v.substr(0, slash)) && ms(v.substr(slash + 1))) return {};
    return "not a percentage or a quota (e.g. 50% or 25ms/100ms)";
}

std::string check_priority(std::string_view v) { return uint_range(0, 10)(v); }

std::string check_bit_rate(std::string_view v) {
    static constexpr std::string_view units[] = {"bit", "kbit", "Mbit", "Gbit", "Tbit"};
    for (auto u : units) {
        if (v.size() > u.size() && v.substr(v.size() - u.size()) == u) {
            uint64_t n = 0;
            if (parse_u64(v.substr(0, v.size() - u.size()), n)) return {};
        }
    }
    uint64_t n = 0;
    return parse_u64(v, n) ? "" : "not a bit rate (e.g. 10Mbit)";
}

Validator uint_range(uint64_t min, uint64_t max) {
    return [min, max](std::string_view v) -> std::string {
        uint64_t n = 0;
        if (!parse_u64(v, n) || n < min || n > max) return fmt::format("not an integer from {} to {}", min, max);
        return {};
    };
}

Validator one_of(std::initializer_list<std::string_view> words) {
    std::vector<std::string> list(words.begin(), words.end());
    return [list](std::string_view v) -> std::string {
        if (std::find(list.begin(), list.end(), v) != list.end()) return {};
        return fmt::format("not one of {}", fmt::join(list, ", "));
    };
}

Validator either(Validator a, Validator b) {
    return [a, b](std::string_view v) -> std::string {
        std::string ea = a(v);
        return ea.empty() || b(v).empty() ? "" : ea;
    };
}

Validator optional(Validator inner) {
    return [inner](std::string_view v) -> std::string { return v.empty() ? "" : inner(v); };
}

}  // namespace li::config
