#pragma once
// Rendering of library events the way `lxc monitor` prints LXD's: YAML, JSON or a pretty log line.

#include <string>

namespace li::cli {

/// The output formats of `inst monitor`.
enum class EventFormat { Yaml, Json, Pretty };

/// Parses a --format value of monitor; UsageError naming the value when unknown.
EventFormat parse_event_format(const std::string& name);

/// One event (an LXD event JSON document) as monitor prints it: a YAML document followed by a
/// blank line, one JSON line, or one log15 terminal-format line (colour when colour is true).
std::string render_event(EventFormat format, const std::string& event_json, bool colour);

}  // namespace li::cli
