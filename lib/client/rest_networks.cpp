// Networks over REST: /1.0/networks, /1.0/networks/<name> and its /state and /leases.
#include <fmt/format.h>

#include "api/response_json_objects.hpp"
#include "client/rest_objects.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

namespace {

std::string network_path(std::string_view project, std::string_view name, std::string_view tail = {}) {
    return with_project(fmt::format("/1.0/networks/{}{}", url_escape(name), tail), project);
}

}  // namespace

api::Network create_network(const Rest& rest, std::string_view project, const api::NetworksPost& post) {
    json body = json::parse(api::to_json(post));
    operation_of(rest, rest->request("POST", with_project("/1.0/networks", project), &body), "Creating network").get();
    // Read back: the server fills in generated values (e.g. ipv4.address "auto").
    return get_network(rest, project, post.name);
}

std::vector<api::Network> list_networks(const Rest& rest, std::string_view project) {
    auto response = rest->get(with_project("/1.0/networks?recursion=1", project));
    return list_from_json<api::Network>(response.metadata, network_from_json);
}

api::Network get_network(const Rest& rest, std::string_view project, std::string_view name) {
    return network_from_json(rest->get(network_path(project, name)).metadata);
}

bool network_exists(const Rest& rest, std::string_view project, std::string_view name) {
    try {
        rest->get(network_path(project, name));
        return true;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) return false;
        throw;
    }
}

std::string network_etag(const Rest& rest, std::string_view project, std::string_view name) {
    return rest->get(network_path(project, name)).etag;
}

void update_network(const Rest& rest, std::string_view project, std::string_view name, const api::NetworkPut& put,
                    std::string_view if_match) {
    json body = json::parse(api::to_json(put));
    operation_of(rest, rest->request("PUT", network_path(project, name), &body, if_match_header(if_match)),
                 "Updating network").get();
}

void rename_network(const Rest& rest, std::string_view project, std::string_view name, std::string_view new_name) {
    json body{{"name", new_name}};
    operation_of(rest, rest->request("POST", network_path(project, name), &body), "Renaming network").get();
}

void delete_network(const Rest& rest, std::string_view project, std::string_view name) {
    operation_of(rest, rest->request("DELETE", network_path(project, name)), "Deleting network").get();
}

api::NetworkState network_state(const Rest& rest, std::string_view project, std::string_view name) {
    return network_state_from_json(rest->get(network_path(project, name, "/state")).metadata);
}

std::vector<api::NetworkLease> network_leases(const Rest& rest, std::string_view project, std::string_view name) {
    auto response = rest->get(network_path(project, name, "/leases"));
    return list_from_json<api::NetworkLease>(response.metadata, network_lease_from_json);
}

}  // namespace li::rest
