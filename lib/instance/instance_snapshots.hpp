#pragma once
// Instance snapshots: the instance's volume snapshotted by its pool's driver, its settings in the
// database (see instance_snapshots.cpp for the order that keeps both consistent).

#include <string>
#include <vector>

#include "instance/instance_loader.hpp"
#include "libinstance/api/instance_snapshot.hpp"

namespace li {

class ManagerCore;
class OperationContext;

/// The event source of an instance snapshot ("/1.0/instances/c1/snapshots/snap0[?project=p]").
std::string snapshot_source(const std::string& project, const std::string& instance, const std::string& snapshot);

/// The instance's volume (what its snapshots are snapshots of).
VolumeRef instance_volume(const InstanceRecord& record);

api::InstanceSnapshot take_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const api::InstanceSnapshotsPost& post,
                                             OperationContext& op);
std::vector<api::InstanceSnapshot> list_instance_snapshots(ManagerCore& core, const std::string& project, const std::string& name);
api::InstanceSnapshot get_instance_snapshot(ManagerCore& core, const std::string& project, const std::string& name,
                                            const std::string& snapshot);
void update_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot,
                              const api::InstanceSnapshotPut& put);
void rename_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot, const std::string& new_name);
void delete_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot);
void restore_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot, OperationContext& op);

/// LXD's name for the next snapshot of `pattern` ("snap%d": one past the highest number in use;
/// a pattern without %d gets "-N" appended when its name is taken).
std::string next_snapshot_name(const std::string& pattern, const std::vector<std::string>& existing);

}  // namespace li
