#pragma once
// What a connected Manager's facades send to the server: one function per mapped facade
// method, called from the facade's first line (`if (auto rest = core_->rest()) return ...`).
// Paths carry ?project= for project-scoped objects.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/rest_transport.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/operation.hpp"
#include "libinstance/api/project.hpp"

namespace li::rest {

using Rest = std::shared_ptr<RestTransport>;

// --- Instances (rest_instances.cpp) ---------------------------------------------------------
std::vector<api::Instance> list_instances(const Rest& rest, std::string_view project, bool with_state);
/// NotFound when the server has no such instance.
void check_instance(const Rest& rest, std::string_view project, std::string_view name);
/// POST /1.0/instances, then a start when post.start (LXD's body has no such field).
Operation create_instance(const Rest& rest, std::string_view project, const api::InstancesPost& post, bool async);
api::Instance instance_info(const Rest& rest, std::string_view project, std::string_view name);
api::InstanceState instance_state(const Rest& rest, std::string_view project, std::string_view name);
/// PUT /1.0/instances/<name>/state with action start, stop or restart.
Operation change_state(const Rest& rest, std::string_view project, std::string_view name, const char* action,
                       bool force, int timeout_seconds);
/// DELETE /1.0/instances/<name>; with force a running instance is stopped first (as lxc does).
Operation delete_instance(const Rest& rest, std::string_view project, std::string_view name, bool force, bool async);
void rename_instance(const Rest& rest, std::string_view project, std::string_view name, std::string_view new_name);
/// POST /1.0/instances/<name> {"name", "pool"}: the server moves the instance to another pool.
Operation move_instance_to_pool(const Rest& rest, std::string_view project, std::string_view name, std::string_view pool);
Operation update_instance(const Rest& rest, std::string_view project, std::string_view name, const api::InstancePut& put,
                          std::string_view if_match);
std::string instance_etag(const Rest& rest, std::string_view project, std::string_view name);
/// GET, change, PUT with If-Match: a concurrent change is refused (Conflict, key "etag").
void modify_instance(const Rest& rest, std::string_view project, std::string_view name,
                     const std::function<void(api::InstancePut&)>& change);

// --- Snapshots (rest_snapshots.cpp) ----------------------------------------------------------
std::vector<api::InstanceSnapshot> list_snapshots(const Rest& rest, std::string_view project, std::string_view name);
api::InstanceSnapshot get_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot);
/// The snapshot named `name`, or the newest one when name is "" (the server picked its name).
api::InstanceSnapshot newest_snapshot(const Rest& rest, std::string_view project, std::string_view instance, std::string_view name);
Operation create_snapshot(const Rest& rest, std::string_view project, std::string_view name, const api::InstanceSnapshotsPost& post);
Operation delete_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot);
Operation restore_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot);
/// PUT .../snapshots/<snapshot> (expires_at), waited for: the server answers with an operation.
void update_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot,
                     const api::InstanceSnapshotPut& put);
/// POST .../snapshots/<snapshot> {"name": new_name}, waited for.
void rename_snapshot(const Rest& rest, std::string_view project, std::string_view name, std::string_view snapshot,
                     std::string_view new_name);

// --- Log files (rest_logs.cpp) ----------------------------------------------------------------
/// The names of GET /1.0/instances/<name>/logs, sorted.
std::vector<std::string> log_files(const Rest& rest, std::string_view project, std::string_view name);
/// GET .../logs/<file>: the file's bytes.
std::string log_file(const Rest& rest, std::string_view project, std::string_view name, std::string_view file);

// --- Server, projects, operations (rest_server.cpp) ------------------------------------------
std::map<std::string, std::string> server_config(const Rest& rest);
std::string server_config_get(const Rest& rest, std::string_view key);
void server_config_set(const Rest& rest, std::string_view key, std::string_view value);
std::vector<api::Project> list_projects(const Rest& rest);
api::Project get_project(const Rest& rest, std::string_view name);
bool project_exists(const Rest& rest, std::string_view name);
std::vector<api::Operation> list_operations(const Rest& rest);
Operation get_operation(const Rest& rest, const std::string& id);

}  // namespace li::rest
