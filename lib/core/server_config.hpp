#pragma once
// The state directory's own settings (LXD's server config): a fixed table of known keys with
// defaults and validators, stored in the `config` table; unset keys read as their default.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace li {

class ManagerCore;

struct ServerConfigKey {
    std::string_view key;
    std::string_view default_value;
    std::string_view description;
};

/// Every key the manager knows.
const std::vector<ServerConfigKey>& server_config_keys();

/// The keys that are set (LXD shows only those), with their values.
std::map<std::string, std::string> server_config(ManagerCore& core);
/// A key's value, or its default when unset. InvalidArgument (key named) for an unknown key.
std::string server_config_get(ManagerCore& core, std::string_view key);
/// Sets a key after validating the value; an empty value unsets it. InvalidArgument naming the
/// key for an unknown key or a bad value.
void server_config_set(ManagerCore& core, std::string_view key, std::string_view value);

/// "64GiB", "500MB", "1048576" -> bytes; InvalidArgument naming key otherwise.
uint64_t parse_byte_size(std::string_view key, std::string_view value);

}  // namespace li
