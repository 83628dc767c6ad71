#pragma once
// limits.* keys -> cgroup files of a container, for cgroup v1, v2 and hybrid hosts. Pure
// functions over a description of the host (CgroupHost), so both layouts are testable anywhere.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li {

/// What the host's cgroups offer, as far as limits are concerned.
struct CgroupHost {
    /// Controller -> the hierarchy holding it: 1 (a v1 hierarchy) or 2 (the unified one).
    /// A controller that is absent cannot limit anything.
    std::map<std::string, int> controllers;
    /// Optional files a kernel may lack, present on this host: "memory.memsw.limit_in_bytes",
    /// "memory.swappiness", "blkio.weight" (v1), "memory.swap.max", "io.weight" (v2).
    std::set<std::string> files;
    std::string cpus = "0";      ///< the CPUs containers may use, as a set ("0-3")
    uint64_t memory_total = 0;   ///< bytes of RAM (what limits.memory=50% is a share of)
};

/// The running host's cgroup layout (probed once per process).
const CgroupHost& cgroup_host();

/// One cgroup file a limit writes.
struct CgroupSetting {
    std::string key;    ///< the config key it comes from ("limits.memory")
    int version = 1;    ///< 1: lxc.cgroup.<file>; 2: lxc.cgroup2.<file>
    std::string file;   ///< "memory.limit_in_bytes", "memory.max", ...
    std::string value;
};

/// The cgroup files the limits.* keys of an (expanded) config set on this host, in the order they
/// must be written for a start. NotSupported naming "config.<key>" when the host lacks what a
/// set key needs (e.g. limits.disk.priority without blkio.weight / io.weight).
std::vector<CgroupSetting> cgroup_limits(const api::ConfigMap& config, const CgroupHost& host);

/// The value a cgroup file has when no limit is set (what a live unset writes back).
std::string cgroup_default_value(int version, const std::string& file, const CgroupHost& host);

/// The CPUs of a set ("0-3,5"), in order.
std::vector<unsigned> parse_cpu_set(const std::string& set);
/// Bytes limits.memory names: a size, or a percentage of memory_total.
uint64_t memory_limit_bytes(const std::string& value, uint64_t memory_total);

/// The CPUs limits.cpu selects: a count picks that many of the host's (all when it has fewer),
/// a set is used as given.
std::string cpuset_for(const std::string& limit, const std::string& host_cpus);

/// liblxc lxc.prlimit.* lines of the limits.kernel.* keys ("nofile" -> "1024" or "1024:4096").
std::vector<std::pair<std::string, std::string>> prlimit_lines(const api::ConfigMap& config);

}  // namespace li
