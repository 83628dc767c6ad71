#include "core/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace li::log {
namespace {

Level level_from_env() {
    const char* env = std::getenv("LIBINSTANCE_LOG");
    if (!env) return Level::Error;
    if (std::strcmp(env, "debug") == 0) return Level::Debug;
    if (std::strcmp(env, "info") == 0) return Level::Info;
    if (std::strcmp(env, "warn") == 0) return Level::Warn;
    return Level::Error;
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

}  // namespace

bool enabled(Level level) {
    static const Level configured = level_from_env();
    return level <= configured;
}

void write(Level level, std::string_view message) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "libinstance %s: %.*s\n", level_name(level), static_cast<int>(message.size()),
                 message.data());
}

}  // namespace li::log
