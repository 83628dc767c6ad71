#include "core/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <mutex>
#include <vector>

#include "core/clock.hpp"
#include "libinstance/error.hpp"

namespace li::log {
namespace {

struct OutputConfig {
    Level level = Level::Warn;
    std::FILE* file = stderr;  // nullptr: nowhere
    bool owns_file = false;
};

struct Registry {
    // Sinks run under this lock, so remove_sink() waits for a call in progress; recursive so a
    // sink that logs cannot deadlock.
    std::recursive_mutex mutex;
    std::vector<std::pair<int, Sink>> sinks;
    int next_id = 1;
    OutputConfig output;

    Registry() {
        if (const char* env = std::getenv("LIBINSTANCE_LOG"); env && *env) {
            try {
                output.level = parse_level(env);
            } catch (const Error&) {
            }
        }
    }
};

Registry& registry() {
    static Registry r;
    return r;
}

void write_output(const OutputConfig& out, const Record& r) {
    if (!out.file || r.level > out.level) return;
    std::string line = fmt::format("{} libinstance {}: {}", now_rfc3339(), level_name(r.level), r.message);
    for (const auto& [k, v] : r.context) line += fmt::format(" {}={}", k, v);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out.file);
    std::fflush(out.file);
}

}  // namespace

Level parse_level(std::string_view name) {
    if (name == "debug") return Level::Debug;
    if (name == "info") return Level::Info;
    if (name == "warn" || name == "warning") return Level::Warn;
    if (name == "error") return Level::Error;
    throw Error::invalid("level", fmt::format("unknown log level \"{}\" (debug, info, warn, error)", name));
}

const char* level_name(Level level) {
    switch (level) {
    case Level::Error: return "error";
    case Level::Warn: return "warn";
    case Level::Info: return "info";
    case Level::Debug: return "debug";
    }
    return "?";
}

int add_sink(Sink sink) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    int id = r.next_id++;
    r.sinks.emplace_back(id, std::move(sink));
    return id;
}

void remove_sink(int id) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    std::erase_if(r.sinks, [id](const auto& s) { return s.first == id; });
}

void configure_output(Level level, const std::string& file) {
    OutputConfig next;
    next.level = level;
    if (file == "none") {
        next.file = nullptr;
    } else if (!file.empty()) {
        next.file = std::fopen(file.c_str(), "ae");
        if (!next.file) throw Error::from_errno(fmt::format("opening log file {}", file), errno).with_context("log");
        next.owns_file = true;
    }
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (r.output.owns_file) std::fclose(r.output.file);
    r.output = next;
}

void emit(Level level, std::string message, Fields context) {
    Record record{level, std::move(message), std::move(context)};
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    write_output(r.output, record);
    for (const auto& s : r.sinks) s.second(record);
}

}  // namespace li::log
