#include "access.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace li::daemon {

namespace {

std::string path_of(const Request& request) {
    std::string_view target(request.target().data(), request.target().size());
    return std::string(target.substr(0, target.find('?')));
}

bool allowed_project(const Identity& id, const std::string& project) {
    return std::find(id.projects.begin(), id.projects.end(), project) != id.projects.end();
}

Response forbidden(const std::string& why) { return error_response(http::status::forbidden, why); }

}  // namespace

std::optional<Response> access_refusal(const Call& call) {
    const Identity& id = *call.identity;
    std::string path = path_of(call.request);
    // LXD's internal endpoints (waitready, shutdown) are for the local admin only.
    if (id.tls && path.rfind("/internal", 0) == 0) return forbidden("not authorized");
    if (id.trusted && !id.restricted) return std::nullopt;
    http::verb method = call.request.method();
    if (!id.trusted) {
        bool open = (method == http::verb::get && (path == "/" || path == "/1.0" || path == "/1.0/")) ||
                    (method == http::verb::post && path == "/1.0/certificates");
        if (open) return std::nullopt;
        return forbidden("not authorized");
    }
    // Restricted: its projects only, and nothing that changes the server itself.
    if (call.query.contains("all-projects") && call.query_or("all-projects") != "false")
        return forbidden("Certificate is restricted: all-projects is not allowed");
    bool reading = method == http::verb::get;
    auto under = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };
    if (path == "/1.0" || path == "/1.0/") {
        if (reading) return std::nullopt;
        return forbidden("Certificate is restricted: the server configuration cannot be changed");
    }
    if (under("/1.0/certificates") && !reading) return forbidden("Certificate is restricted: certificates cannot be changed");
    if (under("/1.0/storage-pools") && !under("/1.0/storage-pools/") && !reading)
        return forbidden("Certificate is restricted: storage pools cannot be created");
    if (under("/1.0/projects")) {
        auto name = call.params.find("name");
        if (name == call.params.end()) {
            if (!reading) return forbidden("Certificate is restricted: projects cannot be created");
            return std::nullopt;  // the list is filtered to its projects by the handler's caller
        }
        if (!allowed_project(id, name->second)) return forbidden(fmt::format("Certificate is restricted: project \"{}\" is not one of its projects", name->second));
        if (method == http::verb::delete_ || method == http::verb::post)
            return forbidden("Certificate is restricted: its projects cannot be renamed or deleted");
        return std::nullopt;
    }
    if (!allowed_project(id, call.project()))
        return forbidden(fmt::format("Certificate is restricted: project \"{}\" is not one of its projects", call.project()));
    return std::nullopt;
}

}  // namespace li::daemon
