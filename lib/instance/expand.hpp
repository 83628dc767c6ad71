#pragma once
// Profile expansion: an instance's effective config and devices.

#include <vector>

#include "libinstance/api/instance.hpp"
#include "store/records.hpp"

namespace li {

struct Expanded {
    api::ConfigMap config;
    api::DeviceMap devices;
};

/// Applies profiles in order, then the instance's own config and devices; later ones win, and a
/// device of type "none" removes an inherited device of that name.
Expanded expand_instance(const std::vector<ProfileRecord>& profiles, const api::ConfigMap& config,
                         const api::DeviceMap& devices);

/// The pool of the root disk device (path "/"); InvalidArgument (key "devices") when there is none.
std::string root_disk_pool(const api::DeviceMap& expanded_devices);

}  // namespace li
