// JSON of LXD's instance snapshot documents (InstanceSnapshotsPost, InstanceSnapshotPut, InstanceSnapshot).
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/instance_snapshot.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {

json snapshot_to_json(const InstanceSnapshot& s) {
    return json{
        {"name", s.name},
        {"description", s.description},
        {"architecture", s.architecture},
        {"config", s.config},
        {"devices", s.devices},
        {"expanded_config", s.expanded_config},
        {"expanded_devices", s.expanded_devices},
        {"profiles", s.profiles},
        {"ephemeral", s.ephemeral},
        {"stateful", s.stateful},
        {"created_at", s.created_at},
        {"expires_at", jf::time_or_zero(s.expires_at)},
        {"last_used_at", jf::time_or_zero(s.last_used_at)},
        {"size", s.size},
    };
}


}  // namespace

InstanceSnapshotsPost instance_snapshots_post_from_json(std::string_view text) {
    json body = jf::parse_object(text, "instance snapshot definition");
    InstanceSnapshotsPost post;
    post.name = jf::get_string(body, "name", "name");
    post.stateful = jf::get_bool(body, "stateful", "stateful");
    post.expires_at = jf::get_time(body, "expires_at", "expires_at");
    return post;
}

InstanceSnapshotPut instance_snapshot_put_from_json(std::string_view text) {
    json body = jf::parse_object(text, "instance snapshot update");
    return InstanceSnapshotPut{jf::get_time(body, "expires_at", "expires_at")};
}

std::string to_json(const InstanceSnapshotsPost& p) {
    return json{{"name", p.name}, {"stateful", p.stateful}, {"expires_at", p.expires_at}}.dump();
}

std::string to_json(const InstanceSnapshotPut& p) { return json{{"expires_at", p.expires_at}}.dump(); }

std::string to_json(const InstanceSnapshot& snapshot) { return snapshot_to_json(snapshot).dump(); }

std::string to_json(const std::vector<InstanceSnapshot>& snapshots) {
    json out = json::array();
    for (const auto& s : snapshots) out.push_back(snapshot_to_json(s));
    return out.dump();
}

}  // namespace li::api
