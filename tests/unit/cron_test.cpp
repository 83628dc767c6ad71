#include <doctest.h>
#include <ctime>
#include <string>
#include <vector>

#include "core/cron.hpp"
#include "core/minute_ticker.hpp"
#include "libinstance/error.hpp"

using namespace li;

namespace {

// The broken-down time of a calendar date (weekday filled in).
std::tm at(int year, int month, int day, int hour, int minute) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    std::time_t epoch = ::timegm(&t);
    std::tm out{};
    ::gmtime_r(&epoch, &out);
    return out;
}

bool fires(const std::string& schedule, const std::tm& when) { return CronSchedule::parse(schedule, "k").matches(when); }

}  // namespace

TEST_CASE("cron fields: *, numbers, lists, ranges, steps and names") {
    // 2030-01-07 is a Monday.
    CHECK(fires("* * * * *", at(2030, 1, 7, 10, 33)));
    CHECK(fires("0 * * * *", at(2030, 1, 7, 10, 0)));
    CHECK_FALSE(fires("0 * * * *", at(2030, 1, 7, 10, 1)));
    CHECK(fires("5,35 * * * *", at(2030, 1, 7, 3, 35)));
    CHECK_FALSE(fires("5,35 * * * *", at(2030, 1, 7, 3, 34)));
    CHECK(fires("10-12 * * * *", at(2030, 1, 7, 3, 12)));
    CHECK_FALSE(fires("10-12 * * * *", at(2030, 1, 7, 3, 13)));
    CHECK(fires("*/15 * * * *", at(2030, 1, 7, 3, 45)));
    CHECK_FALSE(fires("*/15 * * * *", at(2030, 1, 7, 3, 50)));
    CHECK(fires("10-30/10 * * * *", at(2030, 1, 7, 3, 20)));
    CHECK_FALSE(fires("10-30/10 * * * *", at(2030, 1, 7, 3, 40)));
    CHECK(fires("5/20 * * * *", at(2030, 1, 7, 3, 45)));  // N/step runs to the end
    CHECK_FALSE(fires("5/20 * * * *", at(2030, 1, 7, 3, 0)));
    CHECK(fires("0 3 * jan-mar mon-fri", at(2030, 1, 7, 3, 0)));
    CHECK_FALSE(fires("0 3 * jan-mar mon-fri", at(2030, 4, 8, 3, 0)));  // April
    CHECK_FALSE(fires("0 3 * * sat,sun", at(2030, 1, 7, 3, 0)));
    CHECK(fires("0 3 * JAN MON", at(2030, 1, 7, 3, 0)));  // case-insensitive, as LXD
    CHECK(fires("0 3 ? * *", at(2030, 1, 7, 3, 0)));
}

TEST_CASE("cron days: Sunday is 0 and 7; day of month OR day of week when both are restricted") {
    // 2030-01-06 is a Sunday.
    CHECK(fires("0 0 * * 0", at(2030, 1, 6, 0, 0)));
    CHECK(fires("0 0 * * 7", at(2030, 1, 6, 0, 0)));
    CHECK(fires("0 0 * * 5-7", at(2030, 1, 6, 0, 0)));
    CHECK_FALSE(fires("0 0 * * 7", at(2030, 1, 7, 0, 0)));
    // Both restricted: the 1st (a Tuesday) or any Monday.
    CHECK(fires("0 0 1 * mon", at(2030, 1, 1, 0, 0)));
    CHECK(fires("0 0 1 * mon", at(2030, 1, 7, 0, 0)));
    CHECK_FALSE(fires("0 0 1 * mon", at(2030, 1, 8, 0, 0)));
    // One of them "*": both must match.
    CHECK_FALSE(fires("0 0 1 * *", at(2030, 1, 7, 0, 0)));
    CHECK_FALSE(fires("0 0 * * mon", at(2030, 1, 1, 0, 0)));
    // A step over "*" restricts the field: OR again (the 14th is even but a Monday; the 8th is
    // even and a Tuesday).
    CHECK(fires("0 0 */2 * mon", at(2030, 1, 14, 0, 0)));
    CHECK_FALSE(fires("0 0 */2 * mon", at(2030, 1, 8, 0, 0)));
}

TEST_CASE("cron aliases and several schedules joined by \", \"") {
    CHECK(fires("@hourly", at(2030, 1, 7, 10, 0)));
    CHECK_FALSE(fires("@hourly", at(2030, 1, 7, 10, 30)));
    CHECK(fires("@daily", at(2030, 1, 7, 0, 0)));
    CHECK(fires("@midnight", at(2030, 1, 7, 0, 0)));
    CHECK_FALSE(fires("@daily", at(2030, 1, 7, 1, 0)));
    CHECK(fires("@weekly", at(2030, 1, 6, 0, 0)));
    CHECK_FALSE(fires("@weekly", at(2030, 1, 7, 0, 0)));
    CHECK(fires("@monthly", at(2030, 2, 1, 0, 0)));
    CHECK(fires("@yearly", at(2030, 1, 1, 0, 0)));
    CHECK(fires("@annually", at(2030, 1, 1, 0, 0)));
    CHECK_FALSE(fires("@annually", at(2030, 2, 1, 0, 0)));
    CHECK_FALSE(fires("@never", at(2030, 1, 1, 0, 0)));
    CHECK_FALSE(fires("", at(2030, 1, 1, 0, 0)));
    CHECK_FALSE(fires("@startup", at(2030, 1, 1, 0, 0)));
    CHECK(CronSchedule::parse("@startup", "k").at_startup());
    CHECK_FALSE(CronSchedule::parse("@daily", "k").at_startup());
    CHECK(fires("@daily, 30 12 * * *", at(2030, 1, 7, 12, 30)));
    CHECK(fires("@daily, 30 12 * * *", at(2030, 1, 7, 0, 0)));
    CHECK_FALSE(fires("@daily, 30 12 * * *", at(2030, 1, 7, 12, 0)));
}

TEST_CASE("invalid schedules are refused naming the key and the value") {
    for (const std::string& bad :
         std::vector<std::string>{"* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *",
                                  "* * * 0 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "*/ * * * *", "a * * * *",
                                  "* * * * funday", "1,,2 * * * *", "-1 * * * *", "@often", "@hourly,@daily", "@every 1h",
                                  "0 * * * *,0 1 * * *"}) {
        CAPTURE(bad);
        CHECK_FALSE(check_cron_schedule(bad).empty());
        try {
            CronSchedule::parse(bad, "config.snapshots.schedule");
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            CHECK(e.key() == "config.snapshots.schedule");
            CHECK(std::string(e.what()).find(bad) != std::string::npos);
        }
    }
    CHECK(check_cron_schedule("0 */6 1-15 jan,jul mon-fri").empty());
    CHECK(check_cron_schedule("").empty());
}

TEST_CASE("the scheduler thread wakes just after each minute begins") {
    using namespace std::chrono;
    auto minute = sys_days(year(2030) / 1 / 7) + hours(10);
    CHECK(MinuteTicker::next_wake(minute + seconds(1), seconds(1)) == minute + minutes(1) + seconds(1));
    CHECK(MinuteTicker::next_wake(minute + milliseconds(500), seconds(1)) == minute + seconds(1));
    CHECK(MinuteTicker::next_wake(minute + seconds(59), seconds(1)) == minute + minutes(1) + seconds(1));
}

TEST_CASE("the scheduler thread stops at once when destroyed") {
    using namespace std::chrono;
    auto start = steady_clock::now();
    { MinuteTicker ticker([](system_clock::time_point) {}); }
    CHECK(steady_clock::now() - start < milliseconds(500));
}
