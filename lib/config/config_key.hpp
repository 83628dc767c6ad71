#pragma once
// The config key registry: every instance key libinstance understands, described once so that
// validation, live updates and the reference documentation all come from the same table.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/validators.hpp"
#include "libinstance/api/instance.hpp"

namespace li::config {

/// Which instance types a key applies to.
enum class Scope { Instance, Container, VirtualMachine };

struct ConfigKey {
    /// LXD's name; a name ending in ".*" covers every key with that prefix (e.g. "limits.kernel.*").
    std::string name;
    std::string type;           ///< "string", "bool", "integer", "size", ...: as LXD documents it
    std::string default_value;  ///< as documented ("" when none)
    Scope scope = Scope::Instance;
    bool live = false;          ///< applied to a running instance without a restart
    std::string doc;            ///< one line
    Validator validate;
};

/// Every instance key, in documentation order.
const std::vector<ConfigKey>& instance_keys();

/// The registry entry of a key (exact name first, then the longest matching ".*" prefix), or
/// nullptr when the key is unknown.
const ConfigKey* find_instance_key(std::string_view key);

/// Checks config set by a user on an instance (profile when for_profile): every key known and
/// valid for the instance type, `volatile.*` refused (libinstance manages those). InvalidArgument
/// naming "config.<key>" and quoting the value; nothing is changed by the caller on failure.
void validate_instance_config(const api::ConfigMap& config, std::string_view instance_type, bool for_profile = false);

/// Checks rules between keys of an instance's expanded config (profiles applied), as LXD does:
/// security.privileged excludes security.idmap.isolated, and security.syscalls.allow excludes
/// security.syscalls.deny / deny_compat. InvalidArgument naming the second key.
void validate_key_combinations(const api::ConfigMap& expanded);

/// The scope's name in the reference ("container", "virtual-machine" or "instance").
std::string_view scope_name(Scope scope);

}  // namespace li::config
