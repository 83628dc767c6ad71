#pragma once
// Changing an instance's configuration: validation, live application, persistence.

#include <string>
#include <string_view>

#include "instance/instance_loader.hpp"

namespace li {

/// LXD's ETag of an instance's writable configuration.
std::string instance_etag(const InstanceRecord& record);

/// The writable configuration of a record (what a GET then PUT would send back).
api::InstancePut put_of(const InstanceRecord& record);

/// Checks what a user sets on an instance: config keys, devices and, once expanded with its
/// profiles, that it still has a root disk. InvalidArgument naming the key.
void validate_instance(const InstanceRecord& record, const Expanded& expanded);

/// Replaces ctx's instance configuration with put (under the caller's instance lock): validates,
/// applies live to a running instance, stores, emits "instance-updated". Nothing is changed when
/// it fails.
void update_instance(ManagerCore& core, InstanceContext& ctx, api::InstancePut put, std::string_view if_match);

}  // namespace li
