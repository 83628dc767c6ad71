#pragma once
// A one-shot HTTP request to a daemon's unix socket (what `instanced waitready` and `instanced
// shutdown` send).

#include <filesystem>
#include <string>

namespace li::daemon {

struct LocalAnswer {
    int status = 0;    ///< HTTP status; 0 when nothing answered
    std::string body;
    std::string error;  ///< why nothing answered
};

LocalAnswer local_request(const std::filesystem::path& socket, const std::string& method, const std::string& target);

}  // namespace li::daemon
