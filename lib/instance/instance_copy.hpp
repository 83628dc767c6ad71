#pragma once
// Copying an instance (LXD's InstancesPost with source type "copy") and moving one to another pool.

#include <string>

#include "core/manager_core.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

class OperationContext;

/// Creates post.name as a copy of post.source.source: its config (without the volatile keys that
/// identify the original: idmap, MAC addresses, power state), devices and profiles, with the
/// post's config and devices applied over them and its profiles, when given, instead. On the same
/// pool the volume is cloned as the driver can (a btrfs snapshot, a dir overlay sharing the image
/// layer); on another pool it is flattened into a whole copy, which needs the source stopped
/// (Busy, key "source.source"). Templates with the "copy" trigger are applied. Nothing is left
/// behind on failure or cancellation.
void copy_instance(ManagerCore& core, const std::string& project, const api::InstancesPost& post, OperationContext& ctx);

/// Moves a stopped instance's root volume to another pool (a whole copy, then the original goes)
/// and records the pool in the instance's own root disk device. Busy (key "name") while running;
/// NotFound (key "pool") for an unknown pool; InvalidArgument (key "pool") when it is already there.
/// Renames a stopped instance (LXD's POST {"name"}): its volume, runtime files and record, and
/// emits instance-renamed. InvalidArgument (key "name") for a bad name; Busy (key "name") while
/// running; AlreadyExists (key "name") when the project has an instance of that name.
void rename_instance(ManagerCore& core, const std::string& project, const std::string& name, const std::string& new_name);

void move_instance_to_pool(ManagerCore& core, const std::string& project, const std::string& name, const std::string& pool,
                           OperationContext& ctx);

}  // namespace li
