#include "event_format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "humanize.hpp"
#include "output.hpp"

namespace li::cli {

using nlohmann::json;

EventFormat parse_event_format(const std::string& name) {
    if (name == "yaml") return EventFormat::Yaml;
    if (name == "json") return EventFormat::Json;
    if (name == "pretty") return EventFormat::Pretty;
    throw UsageError(fmt::format("Invalid format \"{}\" (json, pretty or yaml)", name));
}

namespace {

using Pairs = std::vector<std::pair<std::string, json>>;

// A log15 record: what LXD's Event.ToLogging() makes of each event type.
struct Record {
    std::string level = "info";
    std::string message;
    Pairs context;
};

std::string str(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Pairs pairs_of(const json& object) {
    Pairs out;
    if (object.is_object())
        for (const auto& [k, v] : object.items()) out.emplace_back(k, v);  // json objects iterate sorted
    return out;
}

Record record_of(const json& event) {
    const std::string type = str(event, "type");
    const json& meta = event.contains("metadata") ? event["metadata"] : json();
    Record r;
    if (type == "logging") {
        r.level = str(meta, "level");
        r.message = str(meta, "message");
        r.context = pairs_of(meta.value("context", json::object()));
    } else if (type == "lifecycle") {
        r.message = fmt::format("Action: {}, Source: {}", str(meta, "action"), str(meta, "source"));
        r.context = pairs_of(meta.value("context", json::object()));
        if (meta.contains("requestor") && meta["requestor"].is_object()) {
            const json& q = meta["requestor"];
            r.context.emplace_back("requestor",
                                   fmt::format("{}/{} ({})", str(q, "protocol"), str(q, "username"), str(q, "address")));
        }
    } else if (type == "operation") {
        r.message = fmt::format("ID: {}, Class: {}, Description: {}", str(meta, "id"), str(meta, "class"),
                                str(meta, "description"));
        for (const auto& [label, key] : std::vector<std::pair<const char*, const char*>>{
                 {"CreatedAt", "created_at"}, {"UpdatedAt", "updated_at"}, {"Status", "status"},
                 {"StatusCode", "status_code"}, {"Resources", "resources"}, {"Metadata", "metadata"},
                 {"MayCancel", "may_cancel"}, {"Err", "err"}, {"Location", "location"}})
            r.context.emplace_back(label, meta.is_object() && meta.contains(key) ? meta[key] : json());
    } else {
        r.message = fmt::format("Event of type {}", type);
    }
    return r;
}

// log15's level names, four letters each.
std::pair<std::string, int> level_label(const std::string& level) {
    if (level == "debug" || level == "dbug") return {"DBUG", 36};
    if (level == "warn" || level == "warning") return {"WARN", 33};
    if (level == "error" || level == "eror") return {"EROR", 31};
    if (level == "crit") return {"CRIT", 35};
    return {"INFO", 32};
}

// Go's %v of a decoded JSON value, which is how log15 shows maps and lists: map[k:v k:v], [a b].
std::string go_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "<nil>";
    std::string out;
    if (v.is_object()) {
        for (const auto& [k, item] : v.items()) out += (out.empty() ? "" : " ") + k + ":" + go_text(item);
        return "map[" + out + "]";
    }
    if (v.is_array()) {
        for (const auto& item : v) out += (out.empty() ? "" : " ") + go_text(item);
        return "[" + out + "]";
    }
    return v.dump();
}

// logfmt values: bare when unambiguous, else quoted with escapes.
std::string logfmt_value(const json& v) {
    std::string text = go_text(v);
    bool bare = !text.empty() && text.find_first_of(" =\"\t\r\n") == std::string::npos;
    return bare ? text : json(text).dump();
}

std::string pretty(const json& event, bool colour) {
    Record r = record_of(event);
    auto [label, code] = level_label(r.level);
    auto t = parse_rfc3339(str(event, "timestamp"));
    std::string when = t ? format_log_time(*t) : std::string();
    std::string out = colour ? fmt::format("\x1b[{}m{}\x1b[0m[{}] {} ", code, label, when, r.message)
                             : fmt::format("[{}] [{}] {} ", label, when, r.message);
    constexpr size_t justify = 40;  // log15 lines up the keys of short messages
    if (!r.context.empty() && r.message.size() < justify) out += std::string(justify - r.message.size(), ' ');
    for (size_t i = 0; i < r.context.size(); ++i) {
        if (i) out += ' ';
        const auto& [k, v] = r.context[i];
        out += colour ? fmt::format("\x1b[{}m{}\x1b[0m={}", code, k, logfmt_value(v)) : k + "=" + logfmt_value(v);
    }
    return out + "\n";
}

}  // namespace

std::string render_event(EventFormat format, const std::string& event_json, bool colour) {
    switch (format) {
    case EventFormat::Json: return render_json(event_json);
    // lxc goes through a generic map, so YAML keys come out sorted; nlohmann::json sorts too.
    case EventFormat::Yaml: return render_yaml(json::parse(event_json).dump()) + "\n";
    case EventFormat::Pretty: return pretty(json::parse(event_json), colour);
    }
    return {};
}

}  // namespace li::cli
