// Instance: the snapshot calls, each under the instance's lock like its other lifecycle calls.
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "core/event_hub.hpp"
#include "core/manager_core.hpp"
#include "core/operations.hpp"
#include "instance/instance_snapshots.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"

namespace li {

api::InstanceSnapshot Instance::snapshot(const api::InstanceSnapshotsPost& post) {
    if (auto rest = core_->rest()) return rest::create_snapshot(rest, project_, name_, post).get(), rest::newest_snapshot(rest, project_, name_, post.name);
    auto taken = std::make_shared<api::InstanceSnapshot>();
    locked_op(
        "Snapshotting instance", false,
        [post, taken](ManagerCore& core, InstanceContext& ctx, OperationContext& op) {
            *taken = take_instance_snapshot(core, ctx, post, op);
        },
        true)
        .get();
    return *taken;
}

Operation Instance::snapshot_async(const api::InstanceSnapshotsPost& post) {
    if (auto rest = core_->rest()) return rest::create_snapshot(rest, project_, name_, post);
    return locked_op(
        "Snapshotting instance", true,
        [post](ManagerCore& core, InstanceContext& ctx, OperationContext& op) { take_instance_snapshot(core, ctx, post, op); }, true);
}

std::vector<api::InstanceSnapshot> Instance::snapshots() const {
    if (auto rest = core_->rest()) return rest::list_snapshots(rest, project_, name_);
    return list_instance_snapshots(*core_, project_, name_);
}

api::InstanceSnapshot Instance::get_snapshot(std::string_view name) const {
    if (auto rest = core_->rest()) return rest::get_snapshot(rest, project_, name_, name);
    return get_instance_snapshot(*core_, project_, name_, std::string(name));
}

void Instance::update_snapshot(std::string_view name, const api::InstanceSnapshotPut& put) {
    if (auto rest = core_->rest()) return rest::update_snapshot(rest, project_, name_, name, put);
    locked_op("Updating snapshot", false, [name = std::string(name), put](ManagerCore& core, InstanceContext& ctx) {
        update_instance_snapshot(core, ctx, name, put);
    }).get();
}

void Instance::rename_snapshot(std::string_view name, std::string_view new_name) {
    if (auto rest = core_->rest()) return rest::rename_snapshot(rest, project_, name_, name, new_name);
    locked_op("Renaming snapshot", false,
              [name = std::string(name), new_name = std::string(new_name)](ManagerCore& core, InstanceContext& ctx) {
                  rename_instance_snapshot(core, ctx, name, new_name);
              })
        .get();
}

void Instance::delete_snapshot(std::string_view name) { delete_snapshot_async_impl(name, false).get(); }
Operation Instance::delete_snapshot_async(std::string_view name) { return delete_snapshot_async_impl(name, true); }

Operation Instance::delete_snapshot_async_impl(std::string_view name, bool async) {
    if (auto rest = core_->rest()) return rest::delete_snapshot(rest, project_, name_, name);
    return locked_op("Deleting snapshot", async, [name = std::string(name)](ManagerCore& core, InstanceContext& ctx) {
        delete_instance_snapshot(core, ctx, name);
    });
}

void Instance::restore(std::string_view snapshot) { restore_async_impl(snapshot, false).get(); }
Operation Instance::restore_async(std::string_view snapshot) { return restore_async_impl(snapshot, true); }

Operation Instance::restore_async_impl(std::string_view snapshot, bool async) {
    if (auto rest = core_->rest()) return rest::restore_snapshot(rest, project_, name_, snapshot);
    return locked_op(
        "Restoring snapshot", async,
        [snapshot = std::string(snapshot)](ManagerCore& core, InstanceContext& ctx, OperationContext& op) {
            restore_instance_snapshot(core, ctx, snapshot, op);
        },
        true);
}

}  // namespace li
