#pragma once
// Owners in backups. Our volumes keep the container's own ids on disk (idmapped mounts shift them
// at run time), and so do our backups; LXD without idmapped mounts shifts files on disk and says
// so in volatile.last_state.idmap, so their files are shifted back when imported.

#include <filesystem>
#include <vector>

#include "sys/idmap.hpp"

namespace li::backup {

/// Gives every file below dir (not crossing mounts) the owner `map` says host ids stand for:
/// a host id inside an entry becomes ns_start + (id - host_start); others stay. Modes (set-id
/// bits) and security.capability, which a chown clears, are put back.
void unshift_tree(const std::filesystem::path& dir, const std::vector<IdRawEntry>& map);

}  // namespace li::backup
