#pragma once
// Subordinate id ranges for unprivileged containers, from /etc/subuid and /etc/subgid.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace li {

/// One mapping range: container ids [0, size) map to host ids [host_start, host_start + size).
struct IdRange {
    uint64_t host_start = 0;
    uint64_t size = 0;
};

/// One raw.idmap entry: container ids [ns_start, ns_start + size) map to host ids
/// [host_start, host_start + size), for uids, gids or both.
struct IdRawEntry {
    bool is_uid = false;
    bool is_gid = false;
    uint64_t host_start = 0;
    uint64_t ns_start = 0;
    uint64_t size = 0;
    bool operator==(const IdRawEntry&) const = default;
};

/// The container id map: root in the container maps to host_start, except the container ids
/// that raw entries map elsewhere (holes in the main range).
struct IdMap {
    IdRange uid;
    IdRange gid;
    std::vector<IdRawEntry> raw;
};

/// One line of a uid_map/gid_map or lxc.idmap.
struct IdMapLine {
    uint64_t ns_start = 0;
    uint64_t host_start = 0;
    uint64_t size = 0;
    bool operator==(const IdMapLine&) const = default;
};

/// The final lines of the uid (or gid) map, ordered by container id: the main range split
/// around the raw entries, which keep their own host ids.
std::vector<IdMapLine> idmap_lines(const IdMap& map, bool uid);

/// The host id container uid (or gid) ns_id maps to; nullopt when the map leaves it unmapped.
std::optional<uint64_t> to_host_id(const IdMap& map, bool uid, uint64_t ns_id);
/// The container id host uid (or gid) host_id appears as; nullopt when no container id maps to it.
std::optional<uint64_t> to_container_id(const IdMap& map, bool uid, uint64_t host_id);

/// The host uid (gid) of the container's root: usually the main range's start, unless raw.idmap
/// maps container id 0 elsewhere.
inline uint64_t root_host_uid(const IdMap& map) { return to_host_id(map, true, 0).value_or(map.uid.host_start); }
inline uint64_t root_host_gid(const IdMap& map) { return to_host_id(map, false, 0).value_or(map.gid.host_start); }

/// InvalidArgument naming "config.raw.idmap" when a raw entry's host ids are also those of
/// container ids the main range keeps (the kernel refuses a map using a host id twice).
void check_raw_entries_fit(const IdMap& map);

/// Parses raw.idmap: one "both|uid|gid HOST CONTAINER" a line, HOST and CONTAINER an id or a
/// range "a-b" of the same length. InvalidArgument naming "config.raw.idmap" and quoting the
/// line for bad syntax or entries that overlap.
std::vector<IdRawEntry> parse_raw_idmap(std::string_view text);

/// Whether one entry of a subid file for `user` (name or numeric id) holds the whole range.
bool subid_delegates(const std::filesystem::path& file, const std::string& user, const std::string& numeric_id,
                     const IdRange& range);

/// Finds the first range of at least 65536 ids for `user` (name or numeric id) in a subid file;
/// returns a zero-size range when there is none.
IdRange find_subid_range(const std::filesystem::path& file, const std::string& user,
                         const std::string& numeric_id);

/// The map for the current user: from /etc/subuid and /etc/subgid, else (like LXD) 1000000
/// and 1000000000 ids when running as root with no entry.
IdMap host_idmap();

}  // namespace li
