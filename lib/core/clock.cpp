#include "core/clock.hpp"

#include <chrono>
#include <ctime>
#include <fmt/format.h>

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

}  // namespace li
