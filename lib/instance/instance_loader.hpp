#pragma once
// Reading an instance from the store into what facades and drivers need.

#include <string>

#include "core/manager_core.hpp"
#include "instance/expand.hpp"
#include "instance/instance_driver.hpp"
#include "store/records.hpp"

namespace li {

/// An instance's record with its profiles applied.
struct LoadedInstance {
    InstanceRecord record;
    Expanded expanded;
};

/// Loads an instance; NotFound naming it when there is none.
LoadedInstance load_instance(ManagerCore& core, const std::string& project, const std::string& name);
/// Applies the record's profiles (read in the same transaction as the record).
LoadedInstance expand_record(SQLite::Database& db, InstanceRecord record);
/// The driver's view of a loaded instance.
InstanceSpec spec_of(ManagerCore& core, const LoadedInstance& loaded);
/// Whether the instance's driver reports it anything but Stopped.
bool is_running(ManagerCore& core, const LoadedInstance& loaded);
/// One instance as its lifecycle calls need it: record, driver view, driver.
struct InstanceContext {
    LoadedInstance loaded;
    InstanceSpec spec;
    InstanceDriver& driver;
};
/// Loads the instance and its driver view (NotFound naming it when there is none).
InstanceContext context_of(ManagerCore& core, const std::string& project, const std::string& name);

/// LXD's api.Instance of a loaded instance with the given state.
api::Instance to_api(const LoadedInstance& loaded, const api::InstanceState& state, bool with_state);
/// The same without state: only the status, which the driver tells without reading any counter.
api::Instance to_api(const LoadedInstance& loaded, int status_code);

}  // namespace li
