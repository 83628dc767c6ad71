#include "core/server_config.hpp"

#include <fmt/format.h>
#include <charconv>
#include <optional>

#include "config/validators.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {

uint64_t parse_unsigned(std::string_view key, std::string_view value, std::string_view what) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size())
        throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: must be {}", value, key, what));
    return n;
}

// [HOST]:PORT or HOST (port 8443), as LXD's core.https_address; "" turns HTTPS off.
void validate_address(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    size_t colon = value.rfind(':');
    bool bracketed = value.front() == '[';
    if (colon != std::string_view::npos && (!bracketed || value[colon - 1] == ']')) {
        std::string_view port = value.substr(colon + 1);
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
        if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n == 0 || n > 65535)
            throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: the port must be 1-65535", value, key));
    }
    if (value.find_first_of(" /\t") != std::string_view::npos)
        throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: expected [HOST]:PORT", value, key));
}

void validate(std::string_view key, std::string_view value) {
    if (key == "core.https_address") validate_address(key, value);
    else if (key == "images.auto_update_interval") parse_unsigned(key, value, "a number of hours (0: never)");
    else if (key == "images.auto_update_cached") {
        if (!config::check_bool(value).empty())
            throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: must be true or false", value, key));
    } else if (key == "images.remote_cache_expiry") parse_unsigned(key, value, "a number of days");
    else if (key == "images.unpack_max_ratio") parse_unsigned(key, value, "a whole number (0: no ratio limit)");
    else if (key == "images.unpack_max_size") {
        if (parse_byte_size(key, value) == 0)
            throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: must be more than 0", value, key));
    }
}

const ServerConfigKey* find_key(std::string_view key) {
    for (const auto& k : server_config_keys())
        if (k.key == key) return &k;
    return nullptr;
}

const ServerConfigKey& known_key(std::string_view key) {
    const ServerConfigKey* k = find_key(key);
    if (!k) throw Error::invalid(std::string(key), fmt::format("unknown configuration key \"{}\"", key));
    return *k;
}

}  // namespace

const std::vector<ServerConfigKey>& server_config_keys() {
    static const std::vector<ServerConfigKey> keys{
        {"core.https_address", "",
         "Address instanced serves the API on over HTTPS ([HOST]:PORT, port 8443 when omitted; empty: unix socket only)"},
        {"images.auto_update_cached", "true",
         "Whether cached images (pulled by launches) are auto-updated too (images.auto_update_interval)"},
        {"images.auto_update_interval", "6",
         "Hours between refreshes of the images with auto_update set, from their image server (0: never)"},
        {"images.remote_cache_expiry", "10", "Days after which an unused cached image is removed"},
        {"images.unpack_max_ratio", "100",
         "Refuse image archives unpacking to more than this many times their size (0: no ratio limit; "
         "archives unpacking to at most 1GiB are always allowed)"},
        {"images.unpack_max_size", "64GiB", "Refuse image archives unpacking to more than this size"},
    };
    return keys;
}

std::map<std::string, std::string> server_config(ManagerCore& core) {
    return core.db().read([](SQLite::Database& db) {
        std::map<std::string, std::string> out;
        SQLite::Statement q(db, "SELECT key, value FROM config ORDER BY key");
        while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getString();
        return out;
    });
}

std::string server_config_get(ManagerCore& core, std::string_view key) {
    const ServerConfigKey& k = known_key(key);
    auto value = core.db().read([&](SQLite::Database& db) -> std::optional<std::string> {
        SQLite::Statement q(db, "SELECT value FROM config WHERE key = ?");
        q.bind(1, std::string(key));
        if (!q.executeStep()) return std::nullopt;
        return q.getColumn(0).getString();
    });
    return value ? *value : std::string(k.default_value);
}

void server_config_set(ManagerCore& core, std::string_view key, std::string_view value) {
    known_key(key);
    if (!value.empty()) validate(key, value);
    core.db().transaction([&](SQLite::Database& db) {
        if (value.empty()) {
            SQLite::Statement del(db, "DELETE FROM config WHERE key = ?");
            del.bind(1, std::string(key));
            del.exec();
            return;
        }
        SQLite::Statement up(db, "INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        up.bind(1, std::string(key));
        up.bind(2, std::string(value));
        up.exec();
    });
}

uint64_t parse_byte_size(std::string_view key, std::string_view value) {
    size_t digits = 0;
    while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
    std::string_view number = value.substr(0, digits);
    std::string_view unit = value.substr(digits);
    static const std::map<std::string_view, uint64_t> units{
        {"", 1}, {"B", 1}, {"kB", 1000}, {"MB", 1000'000}, {"GB", 1000'000'000}, {"TB", 1000'000'000'000},
        {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40},
    };
    auto it = units.find(unit);
    if (number.empty() || it == units.end())
        throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: must be a size such as 64GiB", value, key));
    uint64_t n = parse_unsigned(key, number, "a size such as 64GiB");
    if (n > UINT64_MAX / it->second)
        throw Error::invalid(std::string(key), fmt::format("invalid value \"{}\" for {}: too large", value, key));
    return n * it->second;
}

}  // namespace li
