// Storage pools and volumes over REST: /1.0/storage-pools (global) and
// /1.0/storage-pools/<pool>/volumes[/<type>/<name>[/snapshots[/<snapshot>]]] (scoped by ?project=).
#include <fmt/format.h>

#include "api/response_json_objects.hpp"
#include "client/rest_objects.hpp"
#include "client/rest_operation.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

namespace {

std::string pool_path(std::string_view pool, std::string_view tail = {}) {
    return fmt::format("/1.0/storage-pools/{}{}", url_escape(pool), tail);
}

std::string volume_path(std::string_view project, std::string_view pool, std::string_view type, std::string_view name,
                        std::string_view tail = {}) {
    return with_project(fmt::format("/1.0/storage-pools/{}/volumes/{}/{}{}", url_escape(pool), url_escape(type),
                                    url_escape(name), tail),
                        project);
}

std::string snapshot_path(std::string_view project, std::string_view pool, std::string_view volume,
                          std::string_view snapshot) {
    return volume_path(project, pool, "custom", volume, fmt::format("/snapshots/{}", url_escape(snapshot)));
}

// LXD's "never" is Go's zero time; an empty string is no time for a Go server.
std::string time_or_never(const std::string& rfc3339) { return rfc3339.empty() ? "0001-01-01T00:00:00Z" : rfc3339; }

}  // namespace

// --- Pools ----------------------------------------------------------------------------------

api::StoragePool create_pool(const Rest& rest, const api::StoragePoolsPost& post) {
    json body = json::parse(api::to_json(post));
    operation_of(rest, rest->request("POST", "/1.0/storage-pools", &body), "Creating storage pool").get();
    // Read back: the driver fills in its defaults (source, size).
    return get_pool(rest, post.name);
}

std::vector<api::StoragePool> list_pools(const Rest& rest) {
    return list_from_json<api::StoragePool>(rest->get("/1.0/storage-pools?recursion=1").metadata, storage_pool_from_json);
}

api::StoragePool get_pool(const Rest& rest, std::string_view name) {
    return storage_pool_from_json(rest->get(pool_path(name)).metadata);
}

std::string pool_etag(const Rest& rest, std::string_view name) { return rest->get(pool_path(name)).etag; }

api::StoragePool update_pool(const Rest& rest, std::string_view name, const api::StoragePoolPut& put,
                             std::string_view if_match) {
    json body = json::parse(api::to_json(put));
    operation_of(rest, rest->request("PUT", pool_path(name), &body, if_match_header(if_match)), "Updating storage pool").get();
    return get_pool(rest, name);
}

api::ResourcesStoragePool pool_resources(const Rest& rest, std::string_view name) {
    return pool_resources_from_json(rest->get(pool_path(name, "/resources")).metadata);
}

void delete_pool(const Rest& rest, std::string_view name) {
    operation_of(rest, rest->request("DELETE", pool_path(name)), "Deleting storage pool").get();
}

// --- Volumes --------------------------------------------------------------------------------

Operation create_volume(const Rest& rest, std::string_view project, std::string_view pool,
                        const api::StorageVolumesPost& post, bool async) {
    json body = json::parse(api::to_json(post));
    auto response = rest->request("POST", with_project(pool_path(pool, "/volumes"), project), &body);
    // The library's operation names the volume it made (metadata "name"); LXD's does not.
    Operation op = operation_of(rest, response, post.source.type == "copy" ? "Copying storage volume" : "Creating storage volume",
                                {{"name", post.name}});
    if (!async) op.get();
    return op;
}

std::vector<api::StorageVolume> list_volumes(const Rest& rest, std::string_view project, std::string_view pool) {
    auto response = rest->get(with_project(pool_path(pool, "/volumes?recursion=1"), project));
    return list_from_json<api::StorageVolume>(response.metadata, storage_volume_from_json);
}

api::StorageVolume get_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view type,
                              std::string_view name) {
    return storage_volume_from_json(rest->get(volume_path(project, pool, type, name)).metadata);
}

void update_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view name,
                   const api::StorageVolumePut& put) {
    json body = json::parse(api::to_json(put));
    operation_of(rest, rest->request("PUT", volume_path(project, pool, "custom", name), &body), "Updating storage volume").get();
}

Operation move_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view name,
                      const api::StorageVolumePost& post) {
    // LXD reads an empty name as a bad request: a move keeping its name sends the name.
    json body{{"name", post.name.empty() ? std::string(name) : post.name}};
    if (!post.pool.empty() && post.pool != pool) body["pool"] = post.pool;
    auto response = rest->request("POST", volume_path(project, pool, "custom", name), &body);
    return operation_of(rest, response, body.contains("pool") ? "Moving storage volume" : "Renaming storage volume");
}

void delete_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view name) {
    operation_of(rest, rest->request("DELETE", volume_path(project, pool, "custom", name)), "Deleting storage volume").get();
}

// --- Volume snapshots -----------------------------------------------------------------------

api::StorageVolumeSnapshot create_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool,
                                                  std::string_view volume, const api::StorageVolumeSnapshotsPost& post) {
    json body{{"name", post.name}};
    if (!post.expires_at.empty()) body["expires_at"] = post.expires_at;
    auto response = rest->request("POST", volume_path(project, pool, "custom", volume, "/snapshots"), &body);
    operation_of(rest, response, "Creating storage volume snapshot").get();
    if (!post.name.empty()) return get_volume_snapshot(rest, project, pool, volume, post.name);
    // The server picked the name: its newest snapshot (the list is oldest first).
    auto all = list_volume_snapshots(rest, project, pool, volume);
    if (all.empty()) throw Error(ErrorCode::Backend, fmt::format("the server lists no snapshot of volume \"{}\" after creating one", volume));
    return all.back();
}

std::vector<api::StorageVolumeSnapshot> list_volume_snapshots(const Rest& rest, std::string_view project,
                                                              std::string_view pool, std::string_view volume) {
    auto response = rest->get(volume_path(project, pool, "custom", volume, "/snapshots?recursion=1"));
    return list_from_json<api::StorageVolumeSnapshot>(response.metadata, volume_snapshot_from_json);
}

api::StorageVolumeSnapshot get_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool,
                                               std::string_view volume, std::string_view snapshot) {
    return volume_snapshot_from_json(rest->get(snapshot_path(project, pool, volume, snapshot)).metadata);
}

void update_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                            std::string_view snapshot, const api::StorageVolumeSnapshotPut& put) {
    json body{{"description", put.description}, {"expires_at", time_or_never(put.expires_at)}};
    operation_of(rest, rest->request("PUT", snapshot_path(project, pool, volume, snapshot), &body),
                 "Updating storage volume snapshot").get();
}

void rename_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                            std::string_view snapshot, std::string_view new_name) {
    json body{{"name", new_name}};
    operation_of(rest, rest->request("POST", snapshot_path(project, pool, volume, snapshot), &body),
                 "Renaming storage volume snapshot").get();
}

void delete_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                            std::string_view snapshot) {
    operation_of(rest, rest->request("DELETE", snapshot_path(project, pool, volume, snapshot)),
                 "Deleting storage volume snapshot").get();
}

void restore_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                             std::string_view snapshot) {
    // As lxc does: the volume's current description and config with "restore" naming the snapshot.
    api::StorageVolume current = get_volume(rest, project, pool, "custom", volume);
    json body{{"description", current.description}, {"config", current.config}, {"restore", snapshot}};
    operation_of(rest, rest->request("PUT", volume_path(project, pool, "custom", volume), &body),
                 "Restoring storage volume snapshot").get();
}

}  // namespace li::rest
