#include "core/clock.hpp"

#include <chrono>
#include <ctime>
#include <fmt/format.h>

#include <cstdio>

#include "core/text.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {
std::string format_utc(std::time_t seconds, long micros) {
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}
}  // namespace

std::string now_rfc3339() {
    auto now = std::chrono::system_clock::now();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    return format_utc(static_cast<std::time_t>(micros / 1000000), static_cast<long>(micros % 1000000));
}

std::string epoch_to_rfc3339(int64_t seconds) { return format_utc(static_cast<std::time_t>(seconds), 0); }

std::optional<int64_t> rfc3339_to_epoch(std::string_view text) {
    std::string s(text);
    std::tm tm{};
    const char* rest = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    if (*rest == '.') {
        ++rest;
        while (*rest >= '0' && *rest <= '9') ++rest;
    }
    int64_t offset = 0;
    if (*rest == 'Z' || *rest == 'z') {
        ++rest;
    } else if (*rest == '+' || *rest == '-') {
        int hh = 0, mm = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
        offset = (hh * 3600 + mm * 60) * (*rest == '+' ? 1 : -1);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest != '\0') return std::nullopt;
    return static_cast<int64_t>(::timegm(&tm)) - offset;
}

void check_rfc3339(std::string_view text, const std::string& key) {
    if (!text.empty() && !rfc3339_to_epoch(text))
        throw Error::invalid(key, fmt::format("invalid {} \"{}\": must be an RFC 3339 time such as 2030-01-01T00:00:00Z", key, text));
}

std::string expiry_after(std::string_view expiry, int64_t from, const std::string& key) {
    if (split_words(expiry).empty()) return {};
    std::time_t t = static_cast<std::time_t>(from);
    std::tm tm{};
    gmtime_r(&t, &tm);
    for (std::string_view word : split_words(expiry)) {
        char unit = word.back();
        std::string_view digits = word.substr(0, word.size() - 1);
        bool numeric = !digits.empty() && digits.size() < 7 &&
                       digits.find_first_not_of("0123456789") == std::string_view::npos;
        if (!numeric || std::string_view("MHdwmy").find(unit) == std::string_view::npos)
            throw Error::invalid(key, fmt::format("invalid expiry \"{}\": \"{}\" is not a number followed by M, H, d, w, m or y "
                                                  "(e.g. \"1w 2d\")", expiry, word));
        int n = std::stoi(std::string(digits));
        switch (unit) {
            case 'M': tm.tm_min += n; break;
            case 'H': tm.tm_hour += n; break;
            case 'd': tm.tm_mday += n; break;
            case 'w': tm.tm_mday += 7 * n; break;
            case 'm': tm.tm_mon += n; break;
            case 'y': tm.tm_year += n; break;
        }
    }
    return epoch_to_rfc3339(static_cast<int64_t>(timegm(&tm)));
}

std::string check_expiry(std::string_view expiry) {
    try {
        expiry_after(expiry, 0, "expiry");
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

}  // namespace li
