#include "storage/size.hpp"

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

namespace {
struct Unit {
    const char* suffix;
    double factor;
};
// Decimal units are powers of 1000, the -iB units powers of 1024, as in LXD.
constexpr Unit kUnits[] = {
    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
    {"PiB", 1125899906842624.0}, {"EiB", 1152921504606846976.0},
    {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"PB", 1e15}, {"EB", 1e18},
    {"B", 1.0},
};
}  // namespace

uint64_t parse_size(std::string_view text, const std::string& key) {
    auto bad = [&] {
        return Error::invalid(key, fmt::format("invalid size \"{}\" for {} (e.g. 5GiB, 500MB or bytes)", text, key));
    };
    std::string s(text);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    double factor = 1.0;
    for (const auto& unit : kUnits) {
        std::string_view suffix(unit.suffix);
        if (s.size() > suffix.size() && std::string_view(s).substr(s.size() - suffix.size()) == suffix) {
            factor = unit.factor;
            s.resize(s.size() - suffix.size());
            break;
        }
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos) throw bad();
    char* end = nullptr;
    double value = std::strtod(s.c_str(), &end);
    if (!end || *end != '\0' || !std::isfinite(value)) throw bad();
    double bytes = value * factor;
    if (bytes < 0 || bytes > 1.8e19) throw bad();
    return static_cast<uint64_t>(bytes);
}

}  // namespace li
