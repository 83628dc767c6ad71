// The server's config (/1.0), projects and operations over REST.
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "api/response_json.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

std::map<std::string, std::string> server_config(const Rest& rest) {
    auto doc = rest->get("/1.0").metadata;
    std::map<std::string, std::string> out;
    if (doc.contains("config") && doc["config"].is_object())
        for (const auto& [key, value] : doc["config"].items()) out[key] = value.is_string() ? value.get<std::string>() : value.dump();
    return out;
}

std::string server_config_get(const Rest& rest, std::string_view key) {
    // Only what is set is known here: the server's defaults are not on the wire.
    auto config = server_config(rest);
    auto it = config.find(std::string(key));
    return it == config.end() ? std::string() : it->second;
}

void server_config_set(const Rest& rest, std::string_view key, std::string_view value) {
    // PUT replaces the whole config: read it with its ETag, change one key, write it back.
    auto response = rest->get("/1.0");
    json config = response.metadata.value("config", json::object());
    if (value.empty()) config.erase(std::string(key));
    else config[std::string(key)] = value;
    json body{{"config", config}};
    std::map<std::string, std::string> headers;
    if (!response.etag.empty()) headers["If-Match"] = fmt::format("\"{}\"", response.etag);
    rest->request("PUT", "/1.0", &body, headers);
}

std::vector<api::Project> list_projects(const Rest& rest) {
    auto response = rest->get("/1.0/projects?recursion=1");
    std::vector<api::Project> out;
    if (response.metadata.is_array())
        for (const auto& doc : response.metadata) out.push_back(project_from_json(doc));
    return out;
}

api::Project get_project(const Rest& rest, std::string_view name) {
    return project_from_json(rest->get("/1.0/projects/" + url_escape(name)).metadata);
}

bool project_exists(const Rest& rest, std::string_view name) {
    try {
        get_project(rest, name);
        return true;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) return false;
        throw;
    }
}

std::vector<api::Operation> list_operations(const Rest& rest) {
    // LXD lists them by status: {"running": [...], "success": [...]}.
    auto response = rest->get("/1.0/operations?recursion=1");
    std::vector<api::Operation> out;
    if (response.metadata.is_object())
        for (const auto& [status, ops] : response.metadata.items())
            if (ops.is_array())
                for (const auto& doc : ops) out.push_back(operation_from_json(doc));
    return out;
}

Operation get_operation(const Rest& rest, const std::string& id) {
    RestResponse response = rest->get("/1.0/operations/" + url_escape(id));
    response.type = "async";
    response.operation = "/1.0/operations/" + id;
    return follow_operation(rest, response);
}

}  // namespace li::rest
