#include "core/cron.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/text.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {

struct FieldSpec {
    const char* what;
    int min;
    int max;
    std::vector<std::string_view> names;  // names[i] stands for min + i
};

const FieldSpec kMinute{"minute", 0, 59, {}};
const FieldSpec kHour{"hour", 0, 23, {}};
const FieldSpec kDayOfMonth{"day of month", 1, 31, {}};
const FieldSpec kMonth{"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
// 7 is Sunday too, as in Vixie cron; folded onto 0 after parsing.
const FieldSpec kDayOfWeek{"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

// Thrown inside the parser with the reason only; parse() adds the key and the value.
struct Bad {
    std::string why;
};

int value_of(std::string_view text, const FieldSpec& spec) {
    for (size_t i = 0; i < spec.names.size(); ++i)
        if (text == spec.names[i]) return spec.min + static_cast<int>(i);
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        throw Bad{fmt::format("\"{}\" is not a {}", text, spec.what)};
    if (n < spec.min || n > spec.max) throw Bad{fmt::format("{} {} is not within {}-{}", spec.what, n, spec.min, spec.max)};
    return n;
}

// One field: bits[v - spec.min] for each value v it takes; returns whether it was "*" or "?".
template <size_t N> bool parse_field(std::string_view field, const FieldSpec& spec, std::bitset<N>& bits) {
    bool any = false;
    for (std::string_view part : split_view(field, ',')) {
        std::string_view range = part, step_text;
        if (size_t slash = part.find('/'); slash != std::string_view::npos) {
            range = part.substr(0, slash);
            step_text = part.substr(slash + 1);
        }
        int step = 1;
        if (!step_text.empty() || part.find('/') != std::string_view::npos) {
            auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
            if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() || step < 1)
                throw Bad{fmt::format("step \"{}\" of the {} is not a positive number", step_text, spec.what)};
        }
        int first = 0, last = 0;
        if (range == "*" || range == "?") {
            first = spec.min;
            last = spec.max;
            if (step == 1) any = true;
        } else if (size_t dash = range.find('-'); dash != std::string_view::npos) {
            first = value_of(range.substr(0, dash), spec);
            last = value_of(range.substr(dash + 1), spec);
            if (first > last) throw Bad{fmt::format("{} range \"{}\" runs backwards", spec.what, range)};
        } else {
            first = value_of(range, spec);
            // "N/step" runs from N to the end, as in cron.
            last = step_text.empty() ? first : spec.max;
        }
        for (int v = first; v <= last; v += step) {
            int bit = v - spec.min;
            if (&spec == &kDayOfWeek && v == 7) bit = 0;
            bits.set(static_cast<size_t>(bit));
        }
    }
    return any;
}

std::string_view expand_alias(std::string_view alias) {
    if (alias == "@hourly") return "0 * * * *";
    if (alias == "@daily" || alias == "@midnight") return "0 0 * * *";
    if (alias == "@weekly") return "0 0 * * 0";
    if (alias == "@monthly") return "0 0 1 * *";
    if (alias == "@annually" || alias == "@yearly") return "0 0 1 1 *";
    return {};
}

}  // namespace

CronSchedule CronSchedule::parse(std::string_view text, const std::string& key) {
    CronSchedule schedule;
    if (std::string why = try_parse(text, schedule); !why.empty())
        throw Error::invalid(key, fmt::format("invalid schedule \"{}\": {}", text, why));
    return schedule;
}

std::string CronSchedule::try_parse(std::string_view text, CronSchedule& schedule) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    schedule = CronSchedule();
    if (lower.empty()) return {};
    // LXD separates schedules with ", ": a comma alone is a list inside a field.
    std::vector<std::string> triggers;
    for (size_t start = 0;;) {
        size_t sep = lower.find(", ", start);
        triggers.push_back(lower.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
        if (sep == std::string::npos) break;
        start = sep + 2;
    }
    for (const std::string& trigger : triggers) {
        try {
            std::string_view spec = trigger;
            if (spec.starts_with('@')) {
                if (spec == "@startup") {
                    schedule.at_startup_ = true;
                    continue;
                }
                if (spec == "@never") continue;
                spec = expand_alias(spec);
                if (spec.empty())
                    throw Bad{fmt::format("unknown alias \"{}\" (@hourly, @daily, @midnight, @weekly, @monthly, @annually, "
                                          "@yearly, @startup, @never)",
                                          trigger)};
            }
            auto fields = split_words(spec);
            if (fields.size() != 5)
                throw Bad{fmt::format("\"{}\" is not of the form <minute> <hour> <day-of-month> <month> <day-of-week>", trigger)};
            Expression e;
            parse_field(fields[0], kMinute, e.minutes);
            parse_field(fields[1], kHour, e.hours);
            std::bitset<31> dom;
            e.any_day_of_month = parse_field(fields[2], kDayOfMonth, dom);
            for (size_t d = 0; d < 31; ++d) e.days_of_month[d + 1] = dom[d];
            std::bitset<12> months;
            parse_field(fields[3], kMonth, months);
            for (size_t m = 0; m < 12; ++m) e.months[m + 1] = months[m];
            std::bitset<8> dow;
            e.any_day_of_week = parse_field(fields[4], kDayOfWeek, dow);
            for (size_t d = 0; d < 7; ++d) e.days_of_week[d] = dow[d];
            schedule.expressions_.push_back(e);
        } catch (const Bad& bad) {
            return bad.why;
        }
    }
    return {};
}

bool CronSchedule::matches(const std::tm& at) const {
    for (const Expression& e : expressions_) {
        if (!e.minutes[at.tm_min] || !e.hours[at.tm_hour] || !e.months[at.tm_mon + 1]) continue;
        bool dom = e.days_of_month[at.tm_mday], dow = e.days_of_week[at.tm_wday];
        bool day = (e.any_day_of_month || e.any_day_of_week) ? (dom && dow) : (dom || dow);
        if (day) return true;
    }
    return false;
}

std::string check_cron_schedule(std::string_view text) {
    CronSchedule ignored;
    return CronSchedule::try_parse(text, ignored);
}

}  // namespace li
