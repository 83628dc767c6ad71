#pragma once
// Structured logging: records (level, message, context fields) go to registered sinks — each
// manager's event bus and the stderr/file sink — never straight to a terminal.

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace li::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

using Fields = std::map<std::string, std::string>;

struct Record {
    Level level;
    std::string message;
    Fields context;
};

/// "debug", "info", "warn" ("warning"), "error"; InvalidArgument (key "level") otherwise.
Level parse_level(std::string_view name);
const char* level_name(Level level);

using Sink = std::function<void(const Record&)>;
/// Registers a sink for every record; returns an id for remove_sink().
int add_sink(Sink sink);
void remove_sink(int id);

/// The stderr/file sink: records at `level` or above go to stderr (file empty), nowhere
/// ("none") or appended to a file. Default: warn to stderr, or $LIBINSTANCE_LOG's level.
void configure_output(Level level, const std::string& file);

void emit(Level level, std::string message, Fields context = {});
inline void error(std::string message, Fields context = {}) { emit(Level::Error, std::move(message), std::move(context)); }
inline void warn(std::string message, Fields context = {}) { emit(Level::Warn, std::move(message), std::move(context)); }
inline void info(std::string message, Fields context = {}) { emit(Level::Info, std::move(message), std::move(context)); }
inline void debug(std::string message, Fields context = {}) { emit(Level::Debug, std::move(message), std::move(context)); }

}  // namespace li::log
