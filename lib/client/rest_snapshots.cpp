// Instance snapshots over REST: /1.0/instances/<name>/snapshots and the restore PUT.
#include <algorithm>
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "api/json_fields.hpp"
#include "api/response_json.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

namespace {

std::string snapshots_path(std::string_view project, std::string_view name, std::string_view snapshot = {}) {
    std::string path = fmt::format("/1.0/instances/{}/snapshots", url_escape(name));
    if (!snapshot.empty()) path += "/" + url_escape(snapshot);
    return with_project(path, project);
}

}  // namespace

std::vector<api::InstanceSnapshot> list_snapshots(const Rest& rest, std::string_view project, std::string_view name) {
    auto response = rest->get(snapshots_path(project, name) + (project.empty() ? "?" : "&") + "recursion=1");
    std::vector<api::InstanceSnapshot> out;
    if (response.metadata.is_array())
        for (const auto& doc : response.metadata) out.push_back(instance_snapshot_from_json(doc));
    return out;
}

api::InstanceSnapshot get_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot) {
    return instance_snapshot_from_json(rest->get(snapshots_path(project, name, snapshot)).metadata);
}

api::InstanceSnapshot newest_snapshot(const Rest& rest, std::string_view project, std::string_view instance, std::string_view name) {
    if (!name.empty()) return get_snapshot(rest, project, instance, name);
    auto all = list_snapshots(rest, project, instance);
    if (all.empty()) throw Error(ErrorCode::NotFound, fmt::format("instance \"{}\" has no snapshot", instance), "snapshot");
    return *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
}

Operation create_snapshot(const Rest& rest, std::string_view project, std::string_view name, const api::InstanceSnapshotsPost& post) {
    json body = json::parse(api::to_json(post));
    return operation_of(rest, rest->request("POST", snapshots_path(project, name), &body), "Snapshotting instance");
}

Operation delete_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot) {
    return operation_of(rest, rest->request("DELETE", snapshots_path(project, name, snapshot)), "Deleting snapshot");
}

Operation restore_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot) {
    json body{{"restore", snapshot}};
    auto path = with_project(fmt::format("/1.0/instances/{}", url_escape(name)), project);
    return operation_of(rest, rest->request("PUT", path, &body), "Restoring snapshot");
}

void update_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot,
                     const api::InstanceSnapshotPut& put) {
    json body{{"expires_at", api::json_fields::time_or_zero(put.expires_at)}};  // LXD cannot parse ""
    operation_of(rest, rest->request("PUT", snapshots_path(project, name, snapshot), &body), "Updating snapshot").get();
}

void rename_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot,
                     std::string_view new_name) {
    json body{{"name", new_name}};
    operation_of(rest, rest->request("POST", snapshots_path(project, name, snapshot), &body), "Renaming snapshot").get();
}

}  // namespace li::rest
