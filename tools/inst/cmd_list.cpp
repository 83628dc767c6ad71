// list: the instances of a project as a table, CSV, JSON or YAML, with lxc's column shorthands.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <tuple>

#include "commands.hpp"
#include "context.hpp"
#include "remote_ref.hpp"
#include "humanize.hpp"
#include "libinstance/api/instance.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

using ColumnFn = std::function<std::string(const api::Instance&)>;

struct Column {
    std::string header;
    ColumnFn data;  ///< empty for SNAPSHOTS, which run_list counts from the instance's snapshots
};

bool running(const api::Instance& i) { return i.state && i.state->pid != 0; }

std::string time_cell(const std::string& rfc3339) {
    auto t = parse_rfc3339(rfc3339);
    return t ? format_info_time(*t) : std::string();
}

std::string lookup(const api::ConfigMap& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? std::string() : it->second;
}

// As lxc: the global addresses of every non-loopback interface, "ADDRESS (NIC)", one a line,
// in reverse order.
std::string addresses_cell(const api::Instance& i, const std::string& family) {
    if (!running(i)) return {};
    std::vector<std::string> lines;
    for (const auto& [nic_name, nic] : i.state->network) {
        if (nic.type == "loopback") continue;
        for (const auto& a : nic.addresses) {
            if (a.family == family && a.scope != "link" && a.scope != "local") lines.push_back(fmt::format("{} ({})", a.address, nic_name));
        }
    }
    std::sort(lines.rbegin(), lines.rend());
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
    return out;
}

const std::map<char, Column>& shorthands() {
    static const std::map<char, Column> map = {
        {'n', {"NAME", [](const api::Instance& i) { return i.name; }}},
        {'s', {"STATE",
               [](const api::Instance& i) {
                   std::string s = i.status;
                   std::transform(s.begin(), s.end(), s.begin(), ::toupper);
                   return s;
               }}},
        {'4', {"IPV4", [](const api::Instance& i) { return addresses_cell(i, "inet"); }}},
        {'6', {"IPV6", [](const api::Instance& i) { return addresses_cell(i, "inet6"); }}},
        {'D', {"DISK USAGE",
               [](const api::Instance& i) {
                   if (!i.state) return std::string();
                   auto root = i.state->disk.find("root");
                   return root == i.state->disk.end() ? std::string() : size_iec(root->second.usage);
               }}},
        {'t', {"TYPE",
               [](const api::Instance& i) {
                   std::string t = i.type == "virtual-machine" ? "VIRTUAL-MACHINE" : "CONTAINER";
                   return i.ephemeral ? t + " (EPHEMERAL)" : t;
               }}},
        {'S', {"SNAPSHOTS", nullptr}},
        {'a', {"ARCHITECTURE", [](const api::Instance& i) { return i.architecture; }}},
        {'c', {"CREATED AT", [](const api::Instance& i) { return time_cell(i.created_at); }}},
        {'d', {"DESCRIPTION", [](const api::Instance& i) { return i.description; }}},
        {'e', {"PROJECT", [](const api::Instance& i) { return i.project; }}},
        {'f', {"BASE IMAGE",
               [](const api::Instance& i) { return lookup(i.config, "volatile.base_image").substr(0, 12); }}},
        {'F', {"BASE IMAGE", [](const api::Instance& i) { return lookup(i.config, "volatile.base_image"); }}},
        {'l', {"LAST USED AT", [](const api::Instance& i) { return time_cell(i.last_used_at); }}},
        {'L', {"LOCATION", [](const api::Instance& i) { return i.location; }}},
        {'m', {"MEMORY USAGE",
               [](const api::Instance& i) { return running(i) ? size_iec(i.state->memory.usage) : std::string(); }}},
        {'N', {"PROCESSES",
               [](const api::Instance& i) { return running(i) ? std::to_string(i.state->processes) : std::string(); }}},
        {'p', {"PID", [](const api::Instance& i) { return running(i) ? std::to_string(i.state->pid) : std::string(); }}},
        {'P', {"PROFILES",
               [](const api::Instance& i) {
                   std::string out;
                   for (const auto& p : i.profiles) out += (out.empty() ? "" : "\n") + p;
                   return out;
               }}},
        {'u', {"CPU USAGE",
               [](const api::Instance& i) {
                   return running(i) ? fmt::format("{}s", i.state->cpu.usage / 1000000000) : std::string();
               }}},
    };
    return map;
}

// "[config:|devices:]key[:name[:maxWidth]]", e.g. "user.comment:COMMENT" or "devices:root.pool".
Column custom_column(const std::string& entry) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t c; (c = entry.find(':', start)) != std::string::npos; start = c + 1) parts.push_back(entry.substr(start, c - start));
    parts.push_back(entry.substr(start));
    bool devices = false;
    if (parts[0] == "config" || parts[0] == "devices") {
        devices = parts[0] == "devices";
        parts.erase(parts.begin());
    }
    if (parts.empty() || parts[0].empty() || parts.size() > 3)
        throw UsageError(fmt::format("Invalid config key column format (too many fields): '{}'", entry));
    std::string key = parts[0];
    std::string header = parts.size() > 1 && !parts[1].empty() ? parts[1] : key;
    long max_width = -1;
    if (parts.size() > 2) {
        try {
            max_width = std::stol(parts[2]);
        } catch (const std::exception&) {
            throw UsageError(fmt::format("Invalid max width (must be an integer) '{}' in '{}'", parts[2], entry));
        }
        if (max_width == 0) max_width = static_cast<long>(header.size());
    }
    return {header, [=](const api::Instance& i) {
                std::string v;
                if (devices) {
                    auto dot = key.find('.');
                    auto dev = i.expanded_devices.find(key.substr(0, dot));
                    if (dot != std::string::npos && dev != i.expanded_devices.end()) v = lookup(dev->second, key.substr(dot + 1));
                } else {
                    v = lookup(i.expanded_config, key);
                }
                if (max_width > 0 && v.size() > static_cast<size_t>(max_width)) v.resize(static_cast<size_t>(max_width));
                return v;
            }};
}

std::vector<Column> parse_columns(const std::string& spec) {
    std::vector<Column> out;
    for (const auto& entry : split_column_spec(spec)) {
        bool all_short = std::all_of(entry.begin(), entry.end(), [](char c) { return shorthands().count(c); });
        if (all_short) {
            for (char c : entry) out.push_back(shorthands().at(c));
        } else if (entry.find('.') != std::string::npos || entry.find(':') != std::string::npos) {
            out.push_back(custom_column(entry));
        } else {
            for (char c : entry)
                if (!shorthands().count(c))
                    throw UsageError(fmt::format("Unknown column shorthand char '{}' in '{}'", c, entry));
        }
    }
    return out;
}

// lxc's filters: a bare word matches a name prefix or a regex over the whole name;
// key=value matches the status/type shorthands or an (expanded) config key.
bool matches(const api::Instance& i, const std::string& filter) {
    auto eq = filter.find('=');
    if (eq == std::string::npos) {
        if (i.name.starts_with(filter)) return true;
        try {
            return std::regex_match(i.name, std::regex(filter));
        } catch (const std::regex_error&) {
            return false;
        }
    }
    std::string key = filter.substr(0, eq);
    std::string value = filter.substr(eq + 1);
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), ::tolower);
        return s;
    };
    if (key == "status" || key == "type") {
        std::string have = lower(key == "status" ? i.status : i.type);
        size_t start = 0;
        for (;;) {  // several values separated by ','
            size_t comma = value.find(',', start);
            if (lower(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start)) == have) return true;
            if (comma == std::string::npos) return false;
            start = comma + 1;
        }
    }
    return lookup(i.expanded_config, key) == value;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    bool all_projects = args.flag("all-projects");
    if (all_projects && args.has("project")) throw UsageError("Can't specify --project with --all-projects");
    // As lxc: the default layout gains the project column with --all-projects.
    std::vector<Column> columns = parse_columns(args.string_or("columns", all_projects ? "ens46tS" : "ns46tS"));

    // As lxc: a first argument "REMOTE:" lists that server, else the default remote is listed.
    std::string remote = ctx.default_remote();
    std::vector<std::string> filters = args.positional;
    if (!filters.empty() && filters.front().ends_with(":")) {
        remote = parse_remote_ref(ctx, filters.front()).remote;
        filters.erase(filters.begin());
    }
    Manager& manager = ctx.manager(remote);
    std::vector<api::Instance> all;
    if (all_projects) {
        for (const auto& p : manager.projects().list())
            for (auto& i : manager.instances().list(p.name, true)) all.push_back(std::move(i));
    } else {
        all = manager.instances().list(ctx.project(), true);
    }
    std::vector<api::Instance> shown;
    for (auto& i : all) {
        bool keep = true;
        for (const auto& f : filters)
            if (!matches(i, f)) keep = false;
        if (keep) shown.push_back(std::move(i));
    }
    std::sort(shown.begin(), shown.end(),
              [](const auto& a, const auto& b) { return std::tie(a.name, a.project) < std::tie(b.name, b.project); });

    Row header;
    for (const auto& c : columns) header.push_back(c.header);
    std::vector<Row> rows;
    for (const auto& i : shown) {
        Row r;
        for (const auto& c : columns)
            r.push_back(c.data ? c.data(i) : std::to_string(manager.instances().get(i.project, i.name).snapshots().size()));
        rows.push_back(std::move(r));
    }
    std::string raw;
    if (format == Format::Json || format == Format::Yaml) {
        // As lxc's full listing: each instance's snapshot documents (null when it has none).
        auto docs = nlohmann::ordered_json::parse(api::to_json(shown));
        for (auto& doc : docs) {
            auto snapshots = manager.instances().get(doc.at("project").get<std::string>(), doc.at("name").get<std::string>()).snapshots();
            if (!snapshots.empty()) doc["snapshots"] = nlohmann::ordered_json::parse(api::to_json(snapshots));
        }
        raw = docs.dump();
    }
    std::fputs(render(format, header, rows, raw).c_str(), stdout);
    return 0;
}

}  // namespace

Command list_command() {
    Command cmd;
    cmd.name = "list";
    cmd.aliases = {"ls"};
    cmd.usage = "[<remote>:] [<filter>...]";
    cmd.summary = "List instances";
    cmd.description =
        "List instances\n\n"
        "Default column layout: ns46tS\n\n"
        "A single keyword like \"web\" lists the instances whose name starts with \"web\";\n"
        "a regular expression on the instance name (e.g. .*web.*01$) works too.\n"
        "A key=value pair filters on a configuration item, or on the shorthands\n"
        "type={instance type} and status={instance current lifecycle status}.\n\n"
        "== Columns ==\n"
        "The -c option takes a comma separated list of shorthand chars or config keys:\n"
        "  4 - IPv4 address            6 - IPv6 address\n"
        "  a - Architecture            c - Creation date\n"
        "  d - Description             D - Disk usage\n"
        "  e - Project name\n"
        "  f - Base image fingerprint  F - Base image fingerprint (long)\n"
        "  l - Last used date          L - Location\n"
        "  m - Memory usage            n - Name\n"
        "  N - Number of processes     p - PID of the instance's init process\n"
        "  P - Profiles                s - State\n"
        "  S - Number of snapshots     t - Type (persistent or ephemeral)\n"
        "  u - CPU usage (in seconds)\n\n"
        "Custom columns are defined with \"[config:|devices:]key[:name][:maxWidth]\".";
    cmd.examples = "inst list\n\ninst list -c ns,user.comment:comment\n\ninst list --format json";
    cmd.flags = {
        {"columns", 'c', FlagKind::String, "Columns (default \"ns46tS\")"},
        {"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"},
        {"all-projects", 0, FlagKind::Bool, "Display instances from all projects"},
    };
    cmd.run = run_list;
    return cmd;
}

}  // namespace li::cli
