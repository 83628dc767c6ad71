#pragma once
// A restricted project's rules (restricted=true, then restricted.* with LXD's defaults) applied to
// the config and devices of its instances and profiles, and to its networks. A refusal is
// PermissionDenied whose key names the offending field and whose message names the restriction.

#include <SQLiteCpp/SQLiteCpp.h>
#include <vector>

#include "project/project_usage.hpp"
#include "store/network_repo.hpp"
#include "store/project_repo.hpp"
#include "store/records.hpp"

namespace li::project_policy {

/// The candidate instance's expanded config and devices (so what its profiles bring counts too).
void check_instance_restrictions(SQLite::Database& db, const ProjectRecord& project, const InstanceRecord& candidate);
/// A profile's own config and devices (for any instance type).
void check_profile_restrictions(const ProjectRecord& project, const ProfileRecord& profile);
/// A network's parent against restricted.networks.uplinks.
void check_network_restrictions(const ProjectRecord& project, const NetworkRecord& network);
/// Everything the project holds, against a new config's restrictions.
void check_existing_restrictions(SQLite::Database& db, const ProjectRecord& next,
                                 const std::vector<project_usage::ExpandedInstance>& instances);

}  // namespace li::project_policy
