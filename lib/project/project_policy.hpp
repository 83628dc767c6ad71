#pragma once
// A project's limits (limits.*) and restrictions (restricted.*), checked inside the transaction
// that writes a change, so two concurrent creates cannot both take the last slot.
//
// Limits are refused with InvalidArgument whose key is the limit ("limits.instances") and whose
// message gives the limit and the current use; restrictions with PermissionDenied whose key names
// the offending field ("config.security.privileged", "devices.<name>").

#include <SQLiteCpp/SQLiteCpp.h>
#include <string>
#include <vector>

#include "libinstance/api/project.hpp"
#include "store/network_repo.hpp"
#include "store/project_repo.hpp"
#include "store/records.hpp"

namespace li::project_policy {

/// An instance as it is about to be written (created, copied, imported or updated; its record's
/// project and name say which): the project's limits with it in place of any instance of that
/// name, and the restrictions on its expanded config and devices.
void check_instance(SQLite::Database& db, const InstanceRecord& candidate);
/// A profile as it is about to be written: the restrictions on its own config and devices, and the
/// limits with every instance of the project expanded with it.
void check_profile(SQLite::Database& db, const ProfileRecord& candidate);
/// A custom volume about to be created or changed in `project` (limits.disk counts its size).
void check_custom_volume(SQLite::Database& db, const std::string& project, const std::string& name, const api::ConfigMap& config);
/// A network about to be created in its record's project: limits.networks and, when restricted,
/// restricted.networks.uplinks for its parent.
void check_network(SQLite::Database& db, const NetworkRecord& candidate);
/// Snapshots (restricted.snapshots) and backups (restricted.backups) of a restricted project.
void check_snapshots_allowed(SQLite::Database& db, const std::string& project);
void check_backups_allowed(SQLite::Database& db, const std::string& project);

/// A project's config about to change to next.config: what the project holds must fit the new
/// limits (InvalidArgument "config.<limit>") and restrictions (PermissionDenied).
void check_project_config(SQLite::Database& db, const ProjectRecord& next);

/// What the project uses against its limits.
api::ProjectState project_state(SQLite::Database& db, const ProjectRecord& project);

}  // namespace li::project_policy
