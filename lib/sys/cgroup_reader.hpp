#pragma once
// Reads a running container's cgroup files straight from the host's cgroup file systems.
//
// liblxc's get_cgroup_item asks the container's monitor for the cgroup path on every read (two
// command-socket round trips per file); finding the directories once from /proc/<pid>/cgroup and
// the mount table makes a read a plain open/read/close.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace li {

class CgroupReader {
public:
    /// The cgroups of `pid`, limited to the container's own cgroup: when a path holds the component
    /// `limit_component` (liblxc's "lxc.payload.NAME"), what lies below it (e.g. systemd's
    /// init.scope) is cut off, since the counters that matter are those of the whole container.
    /// nullopt when /proc/<pid>/cgroup or /proc/self/mountinfo cannot be read or no hierarchy of
    /// the process is mounted here.
    static std::optional<CgroupReader> of_pid(pid_t pid, std::string_view limit_component);

    /// The same from the text of a /proc/<pid>/cgroup and a mountinfo file (for tests, and roots
    /// other than /).
    static std::optional<CgroupReader> parse(std::string_view proc_cgroup, std::string_view mountinfo,
                                             std::string_view limit_component);

    /// A file such as "memory.usage_in_bytes" or "cpu.stat", trailing newline removed: from the
    /// v1 hierarchy holding its controller (the name before the first dot), else from the unified
    /// (v2) hierarchy. nullopt when the file cannot be read, as liblxc gives nothing then.
    std::optional<std::string> read(std::string_view file) const;

    /// The directory a file of `controller` is read from (for tests and diagnostics).
    std::optional<std::filesystem::path> directory_of(std::string_view controller) const;

private:
    std::map<std::string, std::filesystem::path, std::less<>> v1_;  // controller -> directory
    std::optional<std::filesystem::path> unified_;
};

}  // namespace li
