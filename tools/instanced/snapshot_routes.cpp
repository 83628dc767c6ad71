#include "snapshot_routes.hpp"

#include <fmt/format.h>

#include "daemon.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string snapshot_url(const Instance& instance, const std::string& snap) {
    return project_url(fmt::format("/1.0/instances/{}/snapshots/{}", instance.name(), snap), instance.project());
}

DaemonOperationSpec snapshot_spec(const Instance& instance, std::string description, const std::string& snap) {
    DaemonOperationSpec spec;
    spec.description = std::move(description);
    spec.project = instance.project();
    spec.resources = json{{"instances", json::array({"/1.0/instances/" + instance.name()})},
                          {"instances_snapshots", json::array({fmt::format("/1.0/instances/{}/snapshots/{}", instance.name(), snap)})}};
    return spec;
}

// PUT and PATCH carry only expires_at; a PATCH without it changes nothing.
Reply update(Daemon& daemon, const Call& call, bool patch) {
    Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
    std::string snap = call.params.at("snapshot");
    instance.get_snapshot(snap);  // NotFound before the operation
    json body = body_object(call);
    api::InstanceSnapshotPut put = api::instance_snapshot_put_from_json(call.request.body().empty() ? "{}" : call.request.body());
    if (patch && !body.contains("expires_at")) put.expires_at = instance.get_snapshot(snap).expires_at;
    auto op = daemon.operations().run(snapshot_spec(instance, "Updating snapshot", snap), [instance, snap, put]() mutable {
        instance.update_snapshot(snap, put);
        return json(nullptr);
    });
    return async_response(*op);
}

}  // namespace

void add_snapshot_routes(Router& router, Daemon& daemon) {
    Manager& manager = daemon.manager();
    add_instance_route(router, http::verb::get, "/{name}/snapshots", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        auto snaps = instance.snapshots();
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(snaps)));
        json urls = json::array();
        for (const auto& s : snaps) urls.push_back(snapshot_url(instance, s.name));
        return sync_response(urls);
    });
    add_instance_route(router, http::verb::post, "/{name}/snapshots", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        body_object(call);  // 400 for a body that is not a JSON object
        const std::string& text = call.request.body();
        api::InstanceSnapshotsPost post = api::instance_snapshots_post_from_json(text.empty() ? "{}" : text);
        if (post.stateful) throw Error(ErrorCode::NotSupported, "stateful snapshots need checkpointing (CRIU), which is not supported", "stateful");
        return async_response(instance.snapshot_async(post));
    });
    add_instance_route(router, http::verb::get, "/{name}/snapshots/{snapshot}", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        return sync_response(as_json(api::to_json(instance.get_snapshot(call.params.at("snapshot")))));
    });
    add_instance_route(router, http::verb::put, "/{name}/snapshots/{snapshot}",
                       [&daemon](const Call& call) -> Reply { return update(daemon, call, false); });
    add_instance_route(router, http::verb::patch, "/{name}/snapshots/{snapshot}",
                       [&daemon](const Call& call) -> Reply { return update(daemon, call, true); });
    add_instance_route(router, http::verb::post, "/{name}/snapshots/{snapshot}", [&daemon, &manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        std::string snap = call.params.at("snapshot");
        json body = body_object(call);
        if (body.value("migration", false)) throw Error(ErrorCode::NotSupported, "snapshot migration is not supported", "migration");
        if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty())
            throw Error::invalid("name", "field \"name\" is required");
        std::string new_name = body["name"];
        instance.get_snapshot(snap);  // NotFound before the operation
        auto op = daemon.operations().run(snapshot_spec(instance, "Renaming snapshot", snap), [instance, snap, new_name]() mutable {
            instance.rename_snapshot(snap, new_name);
            return json(nullptr);
        });
        return async_response(*op);
    });
    add_instance_route(router, http::verb::delete_, "/{name}/snapshots/{snapshot}", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        return async_response(instance.delete_snapshot_async(call.params.at("snapshot")));
    });
}

}  // namespace li::daemon
