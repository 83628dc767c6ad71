#pragma once
// Cron schedules as LXD's snapshots.schedule takes them: "M H DoM Mon DoW" expressions and @
// aliases, several joined by ", " (a bare comma is a list inside a field).

#include <bitset>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace li {

class CronSchedule {
public:
    /// Parses a schedule (case-insensitive, "" = never). Fields take *, ?, numbers, names
    /// (jan-dec, sun-sat), lists ",", ranges "-" and steps "/"; day of week 0 and 7 are Sunday.
    /// Aliases: @hourly, @daily, @midnight, @weekly, @monthly, @annually, @yearly, @startup
    /// (when the instance starts, never on a minute) and @never. InvalidArgument naming `key`.
    static CronSchedule parse(std::string_view text, const std::string& key);
    /// Parses into `out`: "" when the text is valid, else the reason.
    static std::string try_parse(std::string_view text, CronSchedule& out);

    /// Whether the schedule fires on the minute of the broken-down time `at`. As in cron, when
    /// both day of month and day of week are restricted, either one matching is enough.
    bool matches(const std::tm& at) const;
    /// Whether @startup is one of its schedules.
    bool at_startup() const { return at_startup_; }

private:
    struct Expression {
        std::bitset<60> minutes;
        std::bitset<24> hours;
        std::bitset<32> days_of_month;  // 1..31
        std::bitset<13> months;         // 1..12
        std::bitset<7> days_of_week;    // 0 = Sunday
        bool any_day_of_month = false;  // the field was "*" or "?"
        bool any_day_of_week = false;
    };
    std::vector<Expression> expressions_;
    bool at_startup_ = false;
};

/// The reason a schedule is invalid, or "" (a config key validator).
std::string check_cron_schedule(std::string_view text);

}  // namespace li
