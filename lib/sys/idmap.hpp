#pragma once
// Subordinate id ranges for unprivileged containers, from /etc/subuid and /etc/subgid.

#include <cstdint>
#include <filesystem>
#include <string>

namespace li {

/// One mapping range: container ids [0, size) map to host ids [host_start, host_start + size).
struct IdRange {
    uint64_t host_start = 0;
    uint64_t size = 0;
};

/// The container id map: root in the container maps to host_start.
struct IdMap {
    IdRange uid;
    IdRange gid;
};

/// Finds the first range of at least 65536 ids for `user` (name or numeric id) in a subid file;
/// returns a zero-size range when there is none.
IdRange find_subid_range(const std::filesystem::path& file, const std::string& user,
                         const std::string& numeric_id);

/// The map for the current user: from /etc/subuid and /etc/subgid, else (like LXD) 1000000
/// and 1000000000 ids when running as root with no entry.
IdMap host_idmap();

}  // namespace li
