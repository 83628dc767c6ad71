// JSON of the backup options (see backup_json.hpp).
#include "api/backup_json.hpp"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>

#include "api/json_fields.hpp"
#include "libinstance/error.hpp"

namespace li::api {

namespace jf = json_fields;

namespace {

// Options are few and fixed: an unknown one is a typo the caller should hear about.
void refuse_unknown(const jf::json& body, std::initializer_list<const char*> known, std::string_view what) {
    for (const auto& [key, value] : body.items())
        if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
            throw Error::invalid(key, fmt::format("unknown {} option \"{}\"", what, key));
}

}  // namespace

BackupExportOptions backup_export_options_from_json(std::string_view text) {
    BackupExportOptions opts;
    if (text.empty()) return opts;
    jf::json body = jf::parse_object(text, "options_json");
    refuse_unknown(body, {"instance_only", "volume_only", "optimized_storage", "compression_algorithm", "name", "expires_at"},
                   "backup");
    jf::get_string(body, "name", "name");
    jf::get_string(body, "expires_at", "expires_at");
    opts.instance_only = jf::get_bool(body, "instance_only", "instance_only") || jf::get_bool(body, "volume_only", "volume_only");
    opts.optimized_storage = jf::get_bool(body, "optimized_storage", "optimized_storage");
    // "" is the default, as LXD reads it.
    if (auto c = jf::get_string(body, "compression_algorithm", "compression_algorithm"); !c.empty()) opts.compression_algorithm = c;
    return opts;
}

BackupImportOptions backup_import_options_from_json(std::string_view text) {
    BackupImportOptions opts;
    if (text.empty()) return opts;
    jf::json body = jf::parse_object(text, "options_json");
    refuse_unknown(body, {"name", "pool"}, "backup import");
    opts.name = jf::get_string(body, "name", "name");
    opts.pool = jf::get_string(body, "pool", "pool");
    return opts;
}

std::vector<IdRawEntry> lxd_idmap_from_json(std::string_view text, std::string_view key) {
    std::vector<IdRawEntry> out;
    if (text.empty()) return out;
    jf::json body = jf::parse(text, key);
    auto bad = [&] { return Error::invalid(std::string(key), fmt::format("{} is not an LXD idmap (a list of Isuid, Isgid, Hostid, Nsid, Maprange)", key)); };
    if (!body.is_array()) throw bad();
    for (const auto& e : body) {
        if (!e.is_object()) throw bad();
        auto number = [&](const char* field) {
            auto it = e.find(field);
            if (it == e.end() || !it->is_number_unsigned()) throw bad();
            return it->get<uint64_t>();
        };
        auto flag = [&](const char* field) {
            auto it = e.find(field);
            return it != e.end() && it->is_boolean() && it->get<bool>();
        };
        IdRawEntry entry;
        entry.is_uid = flag("Isuid");
        entry.is_gid = flag("Isgid");
        entry.host_start = number("Hostid");
        entry.ns_start = number("Nsid");
        entry.size = number("Maprange");
        out.push_back(entry);
    }
    return out;
}

}  // namespace li::api
