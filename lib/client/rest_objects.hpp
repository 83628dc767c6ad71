#pragma once
// What a connected Manager's profile, network, storage pool, storage volume and project-write
// facade methods send to the server (rest_profiles.cpp, rest_networks.cpp, rest_storage.cpp,
// rest_projects.cpp). Profiles, networks and volumes carry ?project=; pools are global.
// Updates send If-Match when given, so a concurrent change is Conflict (key "etag") as locally.

#include <string>
#include <string_view>
#include <vector>

#include "client/rest_facades.hpp"
#include "libinstance/api/network.hpp"
#include "libinstance/api/profile.hpp"
#include "libinstance/api/project.hpp"
#include "libinstance/api/storage.hpp"
#include "libinstance/api/storage_volume.hpp"

namespace li::rest {

/// The If-Match header for an ETag ("" sends none).
std::map<std::string, std::string> if_match_header(std::string_view etag);

// --- Profiles (rest_profiles.cpp) ------------------------------------------------------------
api::Profile create_profile(const Rest& rest, std::string_view project, const api::ProfilesPost& post);
api::Profile get_profile(const Rest& rest, std::string_view project, std::string_view name);
std::vector<api::Profile> list_profiles(const Rest& rest, std::string_view project);
bool profile_exists(const Rest& rest, std::string_view project, std::string_view name);
std::string profile_etag(const Rest& rest, std::string_view project, std::string_view name);
void update_profile(const Rest& rest, std::string_view project, std::string_view name, const api::ProfilePut& put,
                    std::string_view if_match);
void rename_profile(const Rest& rest, std::string_view project, std::string_view name, std::string_view new_name);
void delete_profile(const Rest& rest, std::string_view project, std::string_view name);

// --- Networks (rest_networks.cpp) ------------------------------------------------------------
api::Network create_network(const Rest& rest, std::string_view project, const api::NetworksPost& post);
std::vector<api::Network> list_networks(const Rest& rest, std::string_view project);
api::Network get_network(const Rest& rest, std::string_view project, std::string_view name);
bool network_exists(const Rest& rest, std::string_view project, std::string_view name);
std::string network_etag(const Rest& rest, std::string_view project, std::string_view name);
void update_network(const Rest& rest, std::string_view project, std::string_view name, const api::NetworkPut& put,
                    std::string_view if_match);
void rename_network(const Rest& rest, std::string_view project, std::string_view name, std::string_view new_name);
void delete_network(const Rest& rest, std::string_view project, std::string_view name);
api::NetworkState network_state(const Rest& rest, std::string_view project, std::string_view name);
std::vector<api::NetworkLease> network_leases(const Rest& rest, std::string_view project, std::string_view name);

// --- Storage pools (rest_storage.cpp) --------------------------------------------------------
api::StoragePool create_pool(const Rest& rest, const api::StoragePoolsPost& post);
std::vector<api::StoragePool> list_pools(const Rest& rest);
api::StoragePool get_pool(const Rest& rest, std::string_view name);
std::string pool_etag(const Rest& rest, std::string_view name);
api::StoragePool update_pool(const Rest& rest, std::string_view name, const api::StoragePoolPut& put,
                             std::string_view if_match);
api::ResourcesStoragePool pool_resources(const Rest& rest, std::string_view name);
void delete_pool(const Rest& rest, std::string_view name);

// --- Storage volumes and their snapshots (rest_storage.cpp) ----------------------------------
/// POST .../volumes (a copy is the server's operation); the volume as created, read back.
Operation create_volume(const Rest& rest, std::string_view project, std::string_view pool,
                        const api::StorageVolumesPost& post, bool async);
std::vector<api::StorageVolume> list_volumes(const Rest& rest, std::string_view project, std::string_view pool);
api::StorageVolume get_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view type,
                              std::string_view name);
void update_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view name,
                   const api::StorageVolumePut& put);
/// LXD's POST on a custom volume: a rename within the pool or a move to post.pool.
Operation move_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view name,
                      const api::StorageVolumePost& post);
void delete_volume(const Rest& rest, std::string_view project, std::string_view pool, std::string_view name);

/// The new snapshot, read back (the server names it when post.name is "").
api::StorageVolumeSnapshot create_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool,
                                                  std::string_view volume, const api::StorageVolumeSnapshotsPost& post);
std::vector<api::StorageVolumeSnapshot> list_volume_snapshots(const Rest& rest, std::string_view project,
                                                              std::string_view pool, std::string_view volume);
api::StorageVolumeSnapshot get_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool,
                                               std::string_view volume, std::string_view snapshot);
void update_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                            std::string_view snapshot, const api::StorageVolumeSnapshotPut& put);
void rename_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                            std::string_view snapshot, std::string_view new_name);
void delete_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                            std::string_view snapshot);
/// PUT on the volume with "restore" (LXD's way; description and config are left as they are).
void restore_volume_snapshot(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                             std::string_view snapshot);

// --- Project writes (rest_projects.cpp) ------------------------------------------------------
api::Project create_project(const Rest& rest, const api::ProjectsPost& post);
std::string project_etag(const Rest& rest, std::string_view name);
void update_project(const Rest& rest, std::string_view name, const api::ProjectPut& put, std::string_view if_match);
void rename_project(const Rest& rest, std::string_view name, std::string_view new_name);
void delete_project(const Rest& rest, std::string_view name);
api::ProjectState project_state(const Rest& rest, std::string_view name);

}  // namespace li::rest
