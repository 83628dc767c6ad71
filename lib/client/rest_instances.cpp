// Instances over REST: /1.0/instances, /1.0/instances/<name> and its /state.
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "api/response_json.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

namespace {

std::string instance_path(std::string_view project, std::string_view name, std::string_view tail = {}) {
    return with_project(fmt::format("/1.0/instances/{}{}", url_escape(name), tail), project);
}

json put_body(const api::InstancePut& put) { return json::parse(api::to_json(put)); }

}  // namespace

std::vector<api::Instance> list_instances(const Rest& rest, std::string_view project, bool with_state) {
    auto response = rest->get(with_project(fmt::format("/1.0/instances?recursion={}", with_state ? 2 : 1), project));
    std::vector<api::Instance> out;
    if (response.metadata.is_array())
        for (const auto& doc : response.metadata) out.push_back(instance_from_json(doc));
    return out;
}

void check_instance(const Rest& rest, std::string_view project, std::string_view name) {
    rest->get(instance_path(project, name));
}

Operation create_instance(const Rest& rest, std::string_view project, const api::InstancesPost& post, bool async) {
    json body = json::parse(api::to_json(post));
    body.erase("start");
    auto create = [rest, project = std::string(project), post, body] {
        auto response = rest->request("POST", with_project("/1.0/instances", project), &body);
        operation_of(rest, response, "Creating instance").get();
        if (post.start) change_state(rest, project, post.name, "start", false, -1).get();
    };
    if (!async) {
        create();
        return operation_of(rest, {}, "Creating instance");
    }
    return local_operation(post.start ? "Creating and starting instance" : "Creating instance", create);
}

api::Instance instance_info(const Rest& rest, std::string_view project, std::string_view name) {
    return instance_from_json(rest->get(instance_path(project, name)).metadata);
}

api::InstanceState instance_state(const Rest& rest, std::string_view project, std::string_view name) {
    return instance_state_from_json(rest->get(instance_path(project, name, "/state")).metadata);
}

Operation change_state(const Rest& rest, std::string_view project, std::string_view name, const char* action, bool force,
                       int timeout_seconds) {
    json body{{"action", action}, {"force", force}, {"timeout", timeout_seconds}, {"stateful", false}};
    auto response = rest->request("PUT", instance_path(project, name, "/state"), &body);
    return operation_of(rest, response, action);
}

Operation delete_instance(const Rest& rest, std::string_view project, std::string_view name, bool force, bool async) {
    auto remove = [rest, project = std::string(project), name = std::string(name), force] {
        // LXD's DELETE refuses a running instance; lxc delete --force stops it first.
        if (force && instance_state(rest, project, name).status_code == 103)
            change_state(rest, project, name, "stop", true, -1).get();
        operation_of(rest, rest->request("DELETE", instance_path(project, name)), "Deleting instance").get();
    };
    if (!async) {
        remove();
        return operation_of(rest, {}, "Deleting instance");
    }
    return local_operation("Deleting instance", remove);
}

void rename_instance(const Rest& rest, std::string_view project, std::string_view name, std::string_view new_name) {
    json body{{"name", new_name}};
    operation_of(rest, rest->request("POST", instance_path(project, name), &body), "Renaming instance").get();
}

Operation move_instance_to_pool(const Rest& rest, std::string_view project, std::string_view name, std::string_view pool) {
    json body{{"name", name}, {"pool", pool}};
    return operation_of(rest, rest->request("POST", instance_path(project, name), &body), "Moving instance");
}

Operation update_instance(const Rest& rest, std::string_view project, std::string_view name, const api::InstancePut& put,
                          std::string_view if_match) {
    json body = put_body(put);
    std::map<std::string, std::string> headers;
    if (!if_match.empty()) headers["If-Match"] = fmt::format("\"{}\"", if_match);
    return operation_of(rest, rest->request("PUT", instance_path(project, name), &body, headers), "Updating instance");
}

std::string instance_etag(const Rest& rest, std::string_view project, std::string_view name) {
    return rest->get(instance_path(project, name)).etag;
}

void modify_instance(const Rest& rest, std::string_view project, std::string_view name,
                     const std::function<void(api::InstancePut&)>& change) {
    auto response = rest->get(instance_path(project, name));
    api::InstancePut put = instance_put_of(instance_from_json(response.metadata));
    change(put);
    update_instance(rest, project, name, put, response.etag).get();
}

}  // namespace li::rest
