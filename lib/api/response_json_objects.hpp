#pragma once
// Reading the server's JSON for profiles, networks, storage pools and volumes, and project state
// into the library's api:: types, for the REST client. Lenient as response_json.hpp: a missing
// or mistyped field keeps its default, since a newer or older server (or LXD) may differ.

#include <nlohmann/json.hpp>
#include <vector>

#include "libinstance/api/network.hpp"
#include "libinstance/api/profile.hpp"
#include "libinstance/api/project.hpp"
#include "libinstance/api/storage.hpp"
#include "libinstance/api/storage_volume.hpp"

namespace li::rest {

api::Profile profile_from_json(const nlohmann::json& doc);
api::Network network_from_json(const nlohmann::json& doc);
api::NetworkState network_state_from_json(const nlohmann::json& doc);
api::NetworkLease network_lease_from_json(const nlohmann::json& doc);
api::StoragePool storage_pool_from_json(const nlohmann::json& doc);
api::ResourcesStoragePool pool_resources_from_json(const nlohmann::json& doc);
api::StorageVolume storage_volume_from_json(const nlohmann::json& doc);
/// The snapshot's own name: LXD sends "volume/snapshot", the part after the last '/' is kept.
api::StorageVolumeSnapshot volume_snapshot_from_json(const nlohmann::json& doc);
api::ProjectState project_state_from_json(const nlohmann::json& doc);

/// Reads every element of an array answer with `one` (anything else: an empty list).
template <typename T, typename F>
std::vector<T> list_from_json(const nlohmann::json& doc, F one) {
    std::vector<T> out;
    if (doc.is_array())
        for (const auto& item : doc) out.push_back(one(item));
    return out;
}

}  // namespace li::rest
