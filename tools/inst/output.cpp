#include "output.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <yaml-cpp/yaml.h>

#include "cli.hpp"

namespace li::cli {

using ordered_json = nlohmann::ordered_json;

Format parse_format(const std::string& name) {
    if (name == "table") return Format::Table;
    if (name == "compact") return Format::Compact;
    if (name == "csv") return Format::Csv;
    if (name == "json") return Format::Json;
    if (name == "yaml") return Format::Yaml;
    throw UsageError(fmt::format("Invalid format \"{}\"", name));
}

// ---- tables -----------------------------------------------------------------------------------

namespace {

// Display width in code points, so that UTF-8 names line up.
size_t width_of(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t nl = s.find('\n', start);
        out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) return out;
        start = nl + 1;
    }
}

std::string pad_right(const std::string& s, size_t width) {
    return s + std::string(width - std::min(width, width_of(s)), ' ');
}

// tablewriter's Pad: the smaller half of the gap goes left.
std::string pad_center(const std::string& s, size_t width) {
    size_t gap = width - std::min(width, width_of(s));
    return std::string(gap / 2, ' ') + s + std::string(gap - gap / 2, ' ');
}

struct Layout {
    std::vector<size_t> widths;
};

Layout layout_of(const Row& header, const std::vector<Row>& rows) {
    Layout l;
    l.widths.assign(header.size(), 0);
    for (size_t c = 0; c < header.size(); ++c) l.widths[c] = width_of(header[c]);
    for (const auto& r : rows)
        for (size_t c = 0; c < r.size() && c < header.size(); ++c)
            for (const auto& line : split_lines(r[c])) l.widths[c] = std::max(l.widths[c], width_of(line));
    return l;
}

// One logical row may span several lines when a cell holds newlines (e.g. several addresses).
void emit_row(std::string& out, const Layout& l, const Row& row, bool boxed, bool centred) {
    std::vector<std::vector<std::string>> cells;
    size_t height = 1;
    for (size_t c = 0; c < l.widths.size(); ++c) {
        cells.push_back(split_lines(c < row.size() ? row[c] : std::string()));
        height = std::max(height, cells.back().size());
    }
    for (size_t h = 0; h < height; ++h) {
        std::string line = boxed ? "|" : "";
        for (size_t c = 0; c < l.widths.size(); ++c) {
            std::string text = h < cells[c].size() ? cells[c][h] : std::string();
            line += " " + (centred ? pad_center(text, l.widths[c]) : pad_right(text, l.widths[c])) + " ";
            if (boxed) line += "|";
        }
        if (!boxed)
            while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
}

std::string border(const Layout& l) {
    std::string line = "+";
    for (size_t w : l.widths) line += std::string(w + 2, '-') + "+";
    return line + "\n";
}

std::string render_compact(const Row& header, const std::vector<Row>& rows) {
    Layout l = layout_of(header, rows);
    std::string out;
    emit_row(out, l, header, false, true);
    for (const auto& r : rows) emit_row(out, l, r, false, false);
    return out;
}

}  // namespace

std::string render_table(const Row& header, const std::vector<Row>& rows) {
    Layout l = layout_of(header, rows);
    std::string out = border(l);
    emit_row(out, l, header, true, true);
    out += border(l);
    for (const auto& r : rows) {
        emit_row(out, l, r, true, false);
        out += border(l);
    }
    return out;
}

// ---- CSV --------------------------------------------------------------------------------------

namespace {

bool csv_needs_quotes(const std::string& f) {
    if (f.empty()) return false;
    if (f == "\\.") return true;
    if (f.find_first_of(",\"\r\n") != std::string::npos) return true;
    return f[0] == ' ' || f[0] == '\t';
}

}  // namespace

std::string render_csv(const std::vector<Row>& rows) {
    std::string out;
    for (const auto& r : rows) {
        for (size_t c = 0; c < r.size(); ++c) {
            if (c) out += ',';
            if (!csv_needs_quotes(r[c])) {
                out += r[c];
                continue;
            }
            out += '"';
            for (char ch : r[c]) {
                if (ch == '"') out += '"';
                out += ch;
            }
            out += '"';
        }
        out += '\n';
    }
    return out;
}

// ---- JSON and YAML ----------------------------------------------------------------------------

std::string render_json(const std::string& json) {
    return ordered_json::parse(json).dump() + "\n";
}

namespace {

// Strings a YAML reader would take for another type are quoted, as Go's yaml.v2 does.
bool looks_like_non_string(const std::string& s) {
    static const std::regex special(
        "^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N"
        "|[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
        "|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?0b[01_]+"
        // YAML 1.1 base-60 numbers: "20260101_00:00" reads as an integer.
        "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?)$");
    return s.empty() || std::regex_match(s, special);
}

void emit(YAML::Emitter& out, const ordered_json& j) {
    switch (j.type()) {
    case ordered_json::value_t::object:
        if (j.empty()) out << YAML::Flow;  // "devices: {}" on one line, as yaml.v2 writes it
        out << YAML::BeginMap;
        for (const auto& [k, v] : j.items()) {
            out << YAML::Key << k << YAML::Value;
            emit(out, v);
        }
        out << YAML::EndMap;
        break;
    case ordered_json::value_t::array:
        if (j.empty()) out << YAML::Flow;
        out << YAML::BeginSeq;
        for (const auto& v : j) emit(out, v);
        out << YAML::EndSeq;
        break;
    case ordered_json::value_t::string: {
        const auto& s = j.get_ref<const std::string&>();
        if (looks_like_non_string(s)) out << YAML::DoubleQuoted;
        out << s;
        break;
    }
    case ordered_json::value_t::boolean: out << j.get<bool>(); break;
    case ordered_json::value_t::number_integer: out << j.get<int64_t>(); break;
    case ordered_json::value_t::number_unsigned: out << j.get<uint64_t>(); break;
    case ordered_json::value_t::number_float: out << j.get<double>(); break;
    default: out << YAML::Null; break;
    }
}

}  // namespace

std::string render_yaml(const std::string& json) {
    YAML::Emitter out;
    out.SetNullFormat(YAML::LowerNull);
    emit(out, ordered_json::parse(json));
    std::string text = out.c_str();
    return text.empty() || text.back() == '\n' ? text : text + "\n";
}

std::string render(Format format, const Row& header, const std::vector<Row>& rows, const std::string& raw_json) {
    switch (format) {
    case Format::Table: return render_table(header, rows);
    case Format::Compact: return render_compact(header, rows);
    case Format::Csv: return render_csv(rows);
    case Format::Json: return render_json(raw_json);
    case Format::Yaml: return render_yaml(raw_json);
    }
    return {};
}

std::vector<std::string> split_column_spec(const std::string& spec) {
    std::vector<std::string> entries;
    size_t start = 0;
    for (;;) {
        size_t comma = spec.find(',', start);
        std::string entry = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (entry.empty())
            throw UsageError(fmt::format("Empty column entry (redundant, leading or trailing command) in '{}'", spec));
        entries.push_back(std::move(entry));
        if (comma == std::string::npos) return entries;
        start = comma + 1;
    }
}

}  // namespace li::cli
