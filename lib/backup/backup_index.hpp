#pragma once
// backup/index.yaml, the first entry of every backup (LXD's backup.Info): what the backup holds
// and, under "config", the same document as backup.yaml.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backup/backup_config.hpp"

namespace li::backup {

struct Index {
    std::string name;
    std::string backend;  ///< the pool driver it was taken on ("dir", "btrfs"...)
    std::string pool;
    std::vector<std::string> snapshots;  ///< oldest first
    bool optimized = false;
    bool optimized_header = false;
    std::string type = "container";  ///< "container", "virtual-machine" or "custom"
    std::optional<Config> config;
};

std::string index_to_yaml(const Index& index);
/// InvalidArgument naming "index.yaml" (or "index.yaml: <field>") for a malformed document.
Index index_from_yaml(std::string_view yaml);

}  // namespace li::backup
