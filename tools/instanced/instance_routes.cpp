#include "instance_routes.hpp"

#include <fmt/format.h>

#include "backup_routes.hpp"
#include "daemon.hpp"
#include "instance_filter.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string instance_url(const std::string& name, const std::string& project) {
    return project_url("/1.0/instances/" + name, project);
}

// What LXD's recursion=1 GET and recursion=2 list give: the instance with state, snapshots and
// backups (clients dereference state unconditionally).
json full_instance(Instance& instance, const api::Instance& info) {
    json doc = as_json(api::to_json(info));
    doc["state"] = as_json(api::to_json(info.state ? *info.state : instance.state()));
    auto snaps = instance.snapshots();
    doc["snapshots"] = snaps.empty() ? json(nullptr) : as_json(api::to_json(snaps));
    doc["backups"] = nullptr;
    return doc;
}

// The stop timeout a state change asks for: -1 is LXD's "as long as it takes".
std::chrono::seconds stop_timeout(const json& body) {
    int timeout = body.value("timeout", -1);
    return timeout < 0 ? std::chrono::hours(24) : std::chrono::seconds(timeout);
}

Operation change_state(Instance& instance, const json& body) {
    if (!body.contains("action") || !body["action"].is_string()) throw Error::invalid("action", "field \"action\" is required");
    std::string action = body["action"];
    if (body.value("stateful", false)) throw Error(ErrorCode::NotSupported, "stateful start and stop need checkpointing, which is not supported", "stateful");
    StopOptions stop;
    stop.force = body.value("force", false);
    stop.timeout = stop_timeout(body);
    if (stop.force) stop.timeout = std::chrono::seconds(0);
    if (action == "start") return instance.start_async();
    if (action == "stop") return instance.stop_async(stop);
    if (action == "restart") return instance.restart_async(stop);
    if (action == "freeze" || action == "unfreeze")
        throw Error(ErrorCode::NotSupported, fmt::format("action \"{}\" is not supported", action), "action");
    throw Error::invalid("action", fmt::format("unknown action \"{}\"", action));
}

// PATCH: the fields sent replace the instance's; config and devices merge key by key.
api::InstancePut patched(const api::Instance& current, const json& body) {
    api::InstancePut put = api::put_of(current);
    api::InstancePut change = api::instance_put_from_json(body.dump());
    for (const auto& [key, value] : change.config) put.config[key] = value;
    for (const auto& [name, device] : change.devices) put.devices[name] = device;
    if (body.contains("profiles") && !body["profiles"].is_null()) put.profiles = change.profiles;
    if (body.contains("description")) put.description = change.description;
    if (body.contains("ephemeral")) put.ephemeral = change.ephemeral;
    return put;
}

// A stale If-Match is refused with 412 before any operation starts (the operation checks again,
// under the instance's lock).
void check_if_match(const Instance& instance, const std::string& if_match) {
    if (!if_match.empty() && if_match != instance.etag())
        throw Error(ErrorCode::Conflict, "ETag doesn't match: the instance changed since it was read", "etag");
}

}  // namespace

void add_instance_route(Router& router, http::verb method, const std::string& rest, Handler handler) {
    router.add(method, "/1.0/instances" + rest, handler);
    router.add(method, "/1.0/containers" + rest, std::move(handler));
}

void add_instance_websocket(Router& router, const std::string& rest, WebsocketHandler handler) {
    router.add_websocket("/1.0/instances" + rest, handler);
    router.add_websocket("/1.0/containers" + rest, std::move(handler));
}

void add_instance_routes(Router& router, Daemon& daemon) {
    Manager& manager = daemon.manager();
    add_instance_route(router, http::verb::get, "", [&manager](const Call& call) -> Reply {
        bool all = call.query.contains("all-projects") && call.query_or("all-projects") != "false";
        std::vector<std::string> projects;
        if (all)
            for (const auto& p : manager.projects().list()) projects.push_back(p.name);
        else
            projects.push_back(call.project());
        InstanceFilter filter = InstanceFilter::parse(call.query_or("filter"));
        int recursion = call.recursion();
        json out = json::array();
        for (const auto& project : projects) {
            for (const auto& info : manager.instances().list(project, recursion >= 2)) {
                if (!filter.matches(info)) continue;
                if (recursion == 0) out.push_back(instance_url(info.name, project));
                else if (recursion == 1) out.push_back(as_json(api::to_json(info)));
                else {
                    Instance instance = manager.instances().get(project, info.name);
                    out.push_back(full_instance(instance, info));
                }
            }
        }
        return sync_response(out);
    });
    add_instance_route(router, http::verb::post, "", [&daemon, &manager](const Call& call) -> Reply {
        // `lxc import`: the body is a backup tarball, not an InstancesPost.
        if (call.request[http::field::content_type].starts_with("application/octet-stream")) return import_backup_request(daemon, call);
        json body = body_object(call);
        if (body.contains("source") && body["source"].is_object() && body["source"].value("type", "") == "migration")
            throw Error(ErrorCode::NotSupported, "migration sources are not supported", "source.type");
        api::InstancesPost post = api::instances_post_from_json(call.request.body());
        post.start = false;  // not LXD's: clients start with a state change
        return async_response(manager.instances().create_async(call.project(), post));
    });
    add_instance_route(router, http::verb::get, "/{name}", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        api::Instance info = instance.info();
        json doc = call.recursion() > 0 ? full_instance(instance, info) : as_json(api::to_json(info));
        return sync_with_etag(doc, instance.etag());
    });
    add_instance_route(router, http::verb::put, "/{name}", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        json body = body_object(call);
        // `lxc restore` is a PUT with "restore" and null config: never an update to nothing.
        if (body.contains("restore") && body["restore"].is_string() && !body["restore"].get<std::string>().empty()) {
            if (body.value("stateful", false)) throw Error(ErrorCode::NotSupported, "stateful snapshots are not supported", "stateful");
            // lxc sends "c1/snap0"; the bare snapshot name is what the library takes.
            std::string snap = body["restore"].get<std::string>();
            if (snap.starts_with(instance.name() + "/")) snap.erase(0, instance.name().size() + 1);
            return async_response(instance.restore_async(snap));
        }
        check_if_match(instance, call.if_match());
        return async_response(instance.update_async(api::instance_put_from_json(call.request.body()), call.if_match()));
    });
    add_instance_route(router, http::verb::patch, "/{name}", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        std::string etag = call.if_match();
        if (etag.empty()) etag = instance.etag();  // the state merged into is the one written over
        return async_response(instance.update_async(patched(instance.info(), body_object(call)), etag));
    });
    add_instance_route(router, http::verb::delete_, "/{name}", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        return async_response(instance.remove_async());
    });
    add_instance_route(router, http::verb::post, "/{name}", [&daemon, &manager](const Call& call) -> Reply {
        std::string project = call.project();
        Instance instance = manager.instances().get(project, call.params.at("name"));
        json body = body_object(call);
        if (body.value("migration", false)) throw Error(ErrorCode::NotSupported, "migration is not supported", "migration");
        if (body.contains("project") && body["project"].is_string() && !body["project"].get<std::string>().empty())
            throw Error(ErrorCode::NotSupported, "moving an instance to another project is not supported here", "project");
        if (body.contains("pool") && body["pool"].is_string() && !body["pool"].get<std::string>().empty())
            return async_response(instance.move_to_pool_async(body["pool"].get<std::string>()));
        std::string new_name = body.value("name", "");
        if (new_name.empty()) throw Error::invalid("name", "field \"name\" is required");
        DaemonOperationSpec spec;
        spec.description = "Renaming instance";
        spec.project = project;
        spec.resources = json{{"instances", json::array({"/1.0/instances/" + instance.name()})}};
        auto op = daemon.operations().run(spec, [instance, new_name]() mutable {
            instance.rename(new_name);
            return json(nullptr);
        });
        return async_response(*op);
    });
    add_instance_route(router, http::verb::get, "/{name}/state", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        return sync_response(as_json(api::to_json(instance.state())));
    });
    add_instance_route(router, http::verb::put, "/{name}/state", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        return async_response(change_state(instance, body_object(call)));
    });
}

}  // namespace li::daemon
