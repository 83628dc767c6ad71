#include "humanize.hpp"

#include <cstdio>
#include <fmt/format.h>

namespace li::cli {

std::string size_iec(int64_t bytes) {
    if (bytes < 1024) return fmt::format("{}B", bytes);
    double value = static_cast<double>(bytes);
    for (const char* unit : {"KiB", "MiB", "GiB", "TiB", "PiB"}) {
        value /= 1024;
        if (value < 1024) return fmt::format("{:.2f}{}", value, unit);
    }
    return fmt::format("{:.2f}EiB", value / 1024);
}

std::string size_si(int64_t bytes) {
    if (bytes < 1000) return fmt::format("{}B", bytes);
    double value = static_cast<double>(bytes);
    for (const char* unit : {"kB", "MB", "GB", "TB", "PB"}) {
        value /= 1000;
        if (value < 1000) return fmt::format("{:.2f}{}", value, unit);
    }
    return fmt::format("{:.2f}EB", value / 1000);
}

std::optional<std::time_t> parse_rfc3339(const std::string& text) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::string rest = text.substr(static_cast<size_t>(consumed));
    if (!rest.empty() && rest[0] == '.') {  // fractional seconds do not show at minute precision
        size_t end = rest.find_first_not_of("0123456789", 1);
        rest = end == std::string::npos ? std::string() : rest.substr(end);
    }
    long offset = 0;
    if (rest == "Z" || rest == "z" || rest.empty()) {
        offset = 0;
    } else {
        int hh = 0, mm = 0;
        if ((rest[0] != '+' && rest[0] != '-') || std::sscanf(rest.c_str() + 1, "%2d:%2d", &hh, &mm) != 2)
            return std::nullopt;
        offset = (rest[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
    }
    std::time_t t = ::timegm(&tm) - offset;
    if (t <= 0) return std::nullopt;
    return t;
}

namespace {

std::string strftime_str(const char* format, const std::tm& tm) {
    char buf[128];
    size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

}  // namespace

std::string format_info_time(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return strftime_str("%Y/%m/%d %H:%M %Z", tm);
}

std::string format_utc_time(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    return strftime_str("%Y/%m/%d %H:%M UTC", tm);
}

std::string format_log_time(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return strftime_str("%m-%d|%H:%M:%S", tm);
}

std::string format_upload_date(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    return fmt::format("{} {}, {} at {}:{:02}{} (UTC)", strftime_str("%b", tm), tm.tm_mday, tm.tm_year + 1900, hour12,
                       tm.tm_min, tm.tm_hour < 12 ? "am" : "pm");
}

}  // namespace li::cli
