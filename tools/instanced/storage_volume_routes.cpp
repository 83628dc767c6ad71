#include "storage_volume_routes.hpp"

#include <fmt/format.h>

#include "daemon.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"
#include "volume_backup_routes.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

const std::string kVolumes = "/1.0/storage-pools/{pool}/volumes";

std::string volume_path(const std::string& pool, const std::string& type, const std::string& name) {
    return fmt::format("/1.0/storage-pools/{}/volumes/{}/{}", pool, type, name);
}

std::string snapshot_path(const std::string& pool, const std::string& volume, const std::string& snap) {
    return volume_path(pool, "custom", volume) + "/snapshots/" + snap;
}

// The library keeps no ETag for volumes, so the daemon derives one from the writable fields, as
// LXD hashes them: a client's GET-then-PUT fails with 412 when someone changed them in between.
// FNV-1a is enough here (a change detector, not a security hash).
std::string etag_of(const json& fields) {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : fields.dump()) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return fmt::format("{:016x}", h);
}

std::string volume_etag(const api::StorageVolume& v) {
    return etag_of(json{{"name", v.name}, {"type", v.type}, {"description", v.description}, {"config", v.config}});
}

std::string snapshot_etag(const api::StorageVolumeSnapshot& s) {
    return etag_of(json{{"name", s.name}, {"description", s.description}, {"expires_at", s.expires_at}});
}

void check_etag(const Call& call, const std::string& current) {
    std::string wanted = call.if_match();
    if (!wanted.empty() && wanted != current)
        throw Error(ErrorCode::Conflict, "the ETag does not match: the volume changed since it was read", "etag");
}

// Volumes are created, changed and snapshotted only when custom ("container" and "image" ones
// follow their instance or image).
void require_custom(const std::string& type) {
    if (type != "custom")
        throw Error::invalid("type", fmt::format("only custom volumes can be changed here, not \"{}\" ones", type));
}

std::string body_text(const Call& call) {
    body_object(call);  // 400 naming "body" when it is not a JSON object
    return call.request.body().empty() ? "{}" : call.request.body();
}

// A volume as LXD writes it. Image and instance volumes may have no creation time recorded; Go
// clients cannot parse "" as a time, so it becomes LXD's zero time.
json volume_json(const api::StorageVolume& v) {
    json doc = as_json(api::to_json(v));
    if (doc.value("created_at", "").empty()) doc["created_at"] = "0001-01-01T00:00:00Z";
    return doc;
}

Response created_at(const std::string& location) {
    Response res = sync_response(nullptr, http::status::created);
    res.set(http::field::location, location);
    return res;
}

Reply list_volumes(StorageVolumeStore& volumes, const Call& call, const std::string& type) {
    const std::string& pool = call.params.at("pool");
    json out = json::array();
    for (const auto& v : volumes.list(pool, call.project())) {
        if (!type.empty() && v.type != type) continue;
        if (call.recursion() > 0) out.push_back(volume_json(v));
        else out.push_back(project_url(volume_path(pool, v.type, v.name), call.project()));
    }
    return sync_response(out);
}

// POST on the volumes: an empty custom volume at once (LXD answers it sync), a copy as an operation.
Reply create_volume(Daemon& daemon, const Call& call, const std::string& route_type) {
    // `lxc storage volume import`: a backup tarball instead of a StorageVolumesPost.
    if (call.request[http::field::content_type].starts_with("application/octet-stream")) return import_volume_backup_request(daemon, call);
    StorageVolumeStore& volumes = daemon.manager().storage_volumes();
    json body = body_object(call);
    if (!route_type.empty()) {
        require_custom(route_type);
        if (!body.contains("type")) body["type"] = route_type;
    }
    api::StorageVolumesPost post = api::storage_volumes_post_from_json(body.dump());
    if (post.source.type == "migration") throw Error(ErrorCode::NotSupported, "volume migration is not supported", "source.type");
    const std::string& pool = call.params.at("pool");
    if (post.source.type == "copy") return async_response(volumes.create_async(pool, post, call.project()));
    volumes.create(pool, post, call.project());
    return sync_response(json::object());
}

api::StorageVolumePut patched(const api::StorageVolume& current, const json& body) {
    api::StorageVolumePut put;
    put.description = current.description;
    put.config = current.config;
    api::StorageVolumePut change = api::storage_volume_put_from_json(body.dump());
    if (body.contains("description")) put.description = change.description;
    for (const auto& [key, value] : change.config) put.config[key] = value;
    return put;
}

DaemonOperationSpec snapshot_spec(const Call& call, std::string description, const std::string& snap) {
    const std::string& pool = call.params.at("pool");
    const std::string& volume = call.params.at("name");
    DaemonOperationSpec spec;
    spec.description = std::move(description);
    spec.project = call.project();
    spec.resources = json{{"storage_volumes", json::array({volume_path(pool, "custom", volume)})},
                          {"storage_volume_snapshots", json::array({snapshot_path(pool, volume, snap)})}};
    return spec;
}

void add_snapshot_routes(Router& router, Daemon& daemon) {
    StorageVolumeStore& volumes = daemon.manager().storage_volumes();
    const std::string base = kVolumes + "/{type}/{name}/snapshots";
    router.add(http::verb::get, base, [&volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        const std::string& pool = call.params.at("pool");
        const std::string& volume = call.params.at("name");
        auto snaps = volumes.list_snapshots(pool, volume, call.project());
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(snaps)));
        json urls = json::array();
        for (const auto& s : snaps) urls.push_back(project_url(snapshot_path(pool, volume, s.name), call.project()));
        return sync_response(urls);
    });
    router.add(http::verb::post, base, [&daemon, &volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), volume = call.params.at("name"), project = call.project();
        api::StorageVolumeSnapshotsPost post = api::storage_volume_snapshots_post_from_json(body_text(call));
        volumes.get(pool, "custom", volume, project);  // NotFound before the operation
        auto op = daemon.operations().run(snapshot_spec(call, "Creating storage volume snapshot", post.name),
                                          [&volumes, pool, volume, post, project] {
                                              volumes.create_snapshot(pool, volume, post, project);
                                              return json(nullptr);
                                          });
        return async_response(*op);
    });
    router.add(http::verb::get, base + "/{snapshot}", [&volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        auto snap = volumes.get_snapshot(call.params.at("pool"), call.params.at("name"), call.params.at("snapshot"), call.project());
        return sync_with_etag(as_json(api::to_json(snap)), snapshot_etag(snap));
    });
    // PUT replaces description and expiry; PATCH keeps what it does not send. Both sync, as LXD.
    auto update = [&volumes](const Call& call, bool patch) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), volume = call.params.at("name"), snap = call.params.at("snapshot");
        auto current = volumes.get_snapshot(pool, volume, snap, call.project());
        check_etag(call, snapshot_etag(current));
        json body = body_object(call);
        api::StorageVolumeSnapshotPut put = api::storage_volume_snapshot_put_from_json(body_text(call));
        if (patch && !body.contains("description")) put.description = current.description;
        if (patch && !body.contains("expires_at")) put.expires_at = current.expires_at;
        volumes.update_snapshot(pool, volume, snap, put, call.project());
        return sync_response(json::object());
    };
    router.add(http::verb::put, base + "/{snapshot}", [update](const Call& call) { return update(call, false); });
    router.add(http::verb::patch, base + "/{snapshot}", [update](const Call& call) { return update(call, true); });
    router.add(http::verb::post, base + "/{snapshot}", [&daemon, &volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), volume = call.params.at("name"), snap = call.params.at("snapshot");
        std::string project = call.project();
        json body = body_object(call);
        if (body.value("migration", false)) throw Error(ErrorCode::NotSupported, "snapshot migration is not supported", "migration");
        if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty())
            throw Error::invalid("name", "field \"name\" is required");
        std::string new_name = body["name"];
        volumes.get_snapshot(pool, volume, snap, project);  // NotFound before the operation
        auto op = daemon.operations().run(snapshot_spec(call, "Renaming storage volume snapshot", snap),
                                          [&volumes, pool, volume, snap, new_name, project] {
                                              volumes.rename_snapshot(pool, volume, snap, new_name, project);
                                              return json(nullptr);
                                          });
        return async_response(*op);
    });
    router.add(http::verb::delete_, base + "/{snapshot}", [&daemon, &volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), volume = call.params.at("name"), snap = call.params.at("snapshot");
        std::string project = call.project();
        volumes.get_snapshot(pool, volume, snap, project);  // NotFound before the operation
        auto op = daemon.operations().run(snapshot_spec(call, "Deleting storage volume snapshot", snap),
                                          [&volumes, pool, volume, snap, project] {
                                              volumes.delete_snapshot(pool, volume, snap, project);
                                              return json(nullptr);
                                          });
        return async_response(*op);
    });
}

}  // namespace

void add_storage_volume_routes(Router& router, Daemon& daemon) {
    StorageVolumeStore& volumes = daemon.manager().storage_volumes();
    router.add(http::verb::get, kVolumes, [&volumes](const Call& call) { return list_volumes(volumes, call, ""); });
    router.add(http::verb::get, kVolumes + "/{type}",
               [&volumes](const Call& call) { return list_volumes(volumes, call, call.params.at("type")); });
    router.add(http::verb::post, kVolumes, [&daemon](const Call& call) { return create_volume(daemon, call, ""); });
    router.add(http::verb::post, kVolumes + "/{type}",
               [&daemon](const Call& call) { return create_volume(daemon, call, call.params.at("type")); });
    router.add(http::verb::get, kVolumes + "/{type}/{name}", [&volumes](const Call& call) -> Reply {
        auto v = volumes.get(call.params.at("pool"), call.params.at("type"), call.params.at("name"), call.project());
        return sync_with_etag(volume_json(v), volume_etag(v));
    });
    router.add(http::verb::put, kVolumes + "/{type}/{name}", [&volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), name = call.params.at("name");
        auto current = volumes.get(pool, "custom", name, call.project());
        check_etag(call, volume_etag(current));
        api::StorageVolumePut put = api::storage_volume_put_from_json(body_text(call));
        // `lxc storage volume restore` is a PUT naming the snapshot: never an update to nothing.
        if (!put.restore.empty()) volumes.restore_snapshot(pool, name, put.restore, call.project());
        else volumes.update(pool, name, put, call.project());
        return sync_response(json::object());
    });
    router.add(http::verb::patch, kVolumes + "/{type}/{name}", [&volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), name = call.params.at("name");
        auto current = volumes.get(pool, "custom", name, call.project());
        check_etag(call, volume_etag(current));
        volumes.update(pool, name, patched(current, body_object(call)), call.project());
        return sync_response(json::object());
    });
    router.add(http::verb::delete_, kVolumes + "/{type}/{name}", [&volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        volumes.remove(call.params.at("pool"), call.params.at("name"), call.project());
        return sync_response(json::object());
    });
    // A rename within the pool is sync (201 + Location) as LXD's; a move to another pool copies
    // data, so it is the library's operation.
    router.add(http::verb::post, kVolumes + "/{type}/{name}", [&volumes](const Call& call) -> Reply {
        require_custom(call.params.at("type"));
        std::string pool = call.params.at("pool"), name = call.params.at("name");
        json body = body_object(call);
        if (body.value("migration", false)) throw Error(ErrorCode::NotSupported, "volume migration is not supported", "migration");
        if (body.contains("project") && body["project"].is_string() && !body["project"].get<std::string>().empty() &&
            body["project"] != call.project())
            throw Error(ErrorCode::NotSupported, "moving a volume to another project is not supported", "project");
        api::StorageVolumePost post = api::storage_volume_post_from_json(body.dump());
        if (post.pool.empty() || post.pool == pool) {
            if (post.name.empty()) throw Error::invalid("name", "field \"name\" is required");
            volumes.rename(pool, name, post.name, call.project());
            return created_at(project_url(volume_path(pool, "custom", post.name), call.project()));
        }
        return async_response(volumes.move_async(pool, name, post, call.project()));
    });
    // LXD's api.StorageVolumeState. The library reports no per-volume usage, so "usage" is null,
    // which is LXD's own answer where a driver cannot measure a volume.
    router.add(http::verb::get, kVolumes + "/{type}/{name}/state", [&volumes](const Call& call) -> Reply {
        volumes.get(call.params.at("pool"), call.params.at("type"), call.params.at("name"), call.project());  // NotFound
        return sync_response(json{{"usage", nullptr}});
    });
    add_snapshot_routes(router, daemon);
    add_volume_backup_routes(router, daemon);
}

}  // namespace li::daemon
