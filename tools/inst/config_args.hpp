#pragma once
// What `inst config ...` and `inst config device ...` share: lxc's key=value argument rules and
// the instance's configuration as YAML.

#include <string>
#include <vector>

#include "cli.hpp"
#include "libinstance/api/instance.hpp"

namespace li::cli {

/// lxc's getConfig: "<key> <value>" (two words, the first without '='), else "<key>=<value>..."
/// each; a value "-" is read from stdin when it is not a terminal.
api::ConfigMap key_values(const std::vector<std::string>& args);

/// An InstancePut read from `inst config edit` YAML (architecture, config, devices, ephemeral,
/// profiles, description; other fields such as name or stateful are ignored, as lxc does).
api::InstancePut instance_put_from_yaml(const std::string& text);

/// The instance as `lxc config show` prints it (api.InstancePut's fields, in Go's order), with
/// the expanded config and devices when expanded.
std::string instance_put_yaml(const api::Instance& instance, bool expanded);

/// `inst config device ...`.
Command config_device_command();

}  // namespace li::cli
