#pragma once
// Rendering of listings the way lxc does: tables (olekukonko/tablewriter look), CSV, JSON, YAML.

#include <string>
#include <vector>

namespace li::cli {

/// The --format values lxc accepts for listings.
enum class Format { Table, Compact, Csv, Json, Yaml };

using Row = std::vector<std::string>;

/// Splits a -c/--columns value at commas (lxc's syntax); UsageError on an empty entry.
std::vector<std::string> split_column_spec(const std::string& spec);

/// Parses a --format value; UsageError naming the value when unknown.
Format parse_format(const std::string& name);

/// Renders header + rows as a table/compact/CSV listing, or raw_json (the API documents) as JSON/YAML.
std::string render(Format format, const Row& header, const std::vector<Row>& rows, const std::string& raw_json);

/// A boxed table like `lxc list`: centred headers, left-aligned cells, a line between rows.
std::string render_table(const Row& header, const std::vector<Row>& rows);
/// RFC 4180 CSV without a header, quoting like Go's encoding/csv.
std::string render_csv(const std::vector<Row>& rows);
/// A JSON document re-emitted compactly on one line, like Go's json.Encoder.
std::string render_json(const std::string& json);
/// A JSON document as block-style YAML (key order kept).
std::string render_yaml(const std::string& json);

}  // namespace li::cli
