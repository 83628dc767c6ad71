// JSON of LXD's storage volume documents (StorageVolumesPost, StorageVolumePut, StorageVolume).
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/storage_volume.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {
json volume_to_json(const StorageVolume& v) {
    return json{
        {"name", v.name},         {"type", v.type},       {"content_type", v.content_type},
        {"description", v.description}, {"config", v.config}, {"used_by", v.used_by},
        {"location", v.location}, {"project", v.project}, {"created_at", v.created_at},
    };
}

json snapshot_to_json(const StorageVolumeSnapshot& s) {
    return json{{"name", s.name},
                {"description", s.description},
                {"config", s.config},
                {"content_type", s.content_type},
                {"created_at", s.created_at},
                {"expires_at", jf::time_or_zero(s.expires_at)}};
}

}  // namespace

StorageVolumesPost storage_volumes_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "storage volume definition");
    StorageVolumesPost post;
    post.name = jf::get_string(body, "name", "name");
    // Absent fields keep LXD's defaults: a custom filesystem volume.
    if (std::string type = jf::get_string(body, "type", "type"); !type.empty()) post.type = type;
    if (std::string ct = jf::get_string(body, "content_type", "content_type"); !ct.empty()) post.content_type = ct;
    post.description = jf::get_string(body, "description", "description");
    post.config = jf::get_string_map(body, "config", "config");
    if (auto it = body.find("source"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) throw Error::invalid("source", "source must be a JSON object");
        post.source.type = jf::get_string(*it, "type", "source.type");
        post.source.pool = jf::get_string(*it, "pool", "source.pool");
        post.source.name = jf::get_string(*it, "name", "source.name");
        post.source.project = jf::get_string(*it, "project", "source.project");
        post.source.volume_only = jf::get_bool(*it, "volume_only", "source.volume_only");
    }
    return post;
}

StorageVolumePost storage_volume_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "storage volume rename or move");
    StorageVolumePost post;
    post.name = jf::get_string(body, "name", "name");
    post.pool = jf::get_string(body, "pool", "pool");
    return post;
}

StorageVolumeSnapshotsPost storage_volume_snapshots_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "storage volume snapshot definition");
    return StorageVolumeSnapshotsPost{jf::get_string(body, "name", "name"), jf::get_time(body, "expires_at", "expires_at")};
}

StorageVolumeSnapshotPut storage_volume_snapshot_put_from_json(std::string_view text) {
    json body = jf::parse_object(text, "storage volume snapshot update");
    return StorageVolumeSnapshotPut{jf::get_string(body, "description", "description"), jf::get_time(body, "expires_at", "expires_at")};
}

std::string to_json(const StorageVolumePost& p) { return json{{"name", p.name}, {"pool", p.pool}}.dump(); }

std::string to_json(const StorageVolumeSnapshotsPost& p) {
    return json{{"name", p.name}, {"expires_at", p.expires_at}}.dump();
}

std::string to_json(const StorageVolumeSnapshotPut& p) {
    return json{{"description", p.description}, {"expires_at", p.expires_at}}.dump();
}

std::string to_json(const StorageVolumeSnapshot& snapshot) { return snapshot_to_json(snapshot).dump(); }

std::string to_json(const std::vector<StorageVolumeSnapshot>& snapshots) {
    json out = json::array();
    for (const auto& s : snapshots) out.push_back(snapshot_to_json(s));
    return out.dump();
}

StorageVolumePut storage_volume_put_from_json(std::string_view text) {
    json body = jf::parse_object(text, "storage volume update");
    StorageVolumePut put;
    put.description = jf::get_string(body, "description", "description");
    put.config = jf::get_string_map(body, "config", "config");
    put.restore = jf::get_string(body, "restore", "restore");
    return put;
}

std::string to_json(const StorageVolumesPost& p) {
    json out{{"name", p.name},
             {"type", p.type},
             {"content_type", p.content_type},
             {"description", p.description},
             {"config", p.config}};
    if (!p.source.type.empty())
        out["source"] = json{{"type", p.source.type},
                             {"pool", p.source.pool},
                             {"name", p.source.name},
                             {"project", p.source.project},
                             {"volume_only", p.source.volume_only}};
    return out.dump();
}

std::string to_json(const StorageVolumePut& p) {
    json out{{"description", p.description}, {"config", p.config}};
    if (!p.restore.empty()) out["restore"] = p.restore;
    return out.dump();
}

std::string to_json(const StorageVolume& volume) { return volume_to_json(volume).dump(); }

std::string to_json(const std::vector<StorageVolume>& volumes) {
    json out = json::array();
    for (const auto& v : volumes) out.push_back(volume_to_json(v));
    return out.dump();
}

}  // namespace li::api
