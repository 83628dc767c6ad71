#include "commands.hpp"

#include <cstdio>
#include <exception>
#include <fmt/format.h>

namespace li::cli {

std::string message_naming(const std::string& message, const std::string& name) {
    if (message.find(name) != std::string::npos) return message;
    return fmt::format("{}: {}", name, message);
}

int for_each_target(const std::vector<std::string>& names, const std::function<void(const std::string&)>& fn) {
    int status = 0;
    for (const auto& name : names) {
        try {
            fn(name);
        } catch (const std::exception& e) {
            std::fflush(stdout);
            std::fprintf(stderr, "Error: %s\n", message_naming(e.what(), name).c_str());
            status = 1;
        }
    }
    return status;
}

}  // namespace li::cli
