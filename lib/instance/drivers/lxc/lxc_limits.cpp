#include "instance/drivers/lxc/lxc_limits.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "config/validators.hpp"
#include "libinstance/error.hpp"
#include "storage/size.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::string value_of(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
}

std::string first_line(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string format_cpu_set(const std::vector<unsigned>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        out += (out.empty() ? "" : ",") + (i == j ? std::to_string(cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]));
        i = j + 1;
    }
    return out;
}

// A v2 controller is usable by containers when a child cgroup of the unified root can enable it.
void probe_v2(const fs::path& root, CgroupHost& host) {
    std::stringstream in(first_line(root / "cgroup.controllers"));
    for (std::string c; in >> c;) host.controllers.try_emplace(c, 2);
    // memory.swap.max and io.weight only exist below the root: look at the first child that has them.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        for (const char* f : {"memory.swap.max", "io.weight"})
            if (fs::exists(entry.path() / f, ec)) host.files.insert(f);
    }
}

CgroupHost probe_host() {
    CgroupHost host;
    const fs::path base = "/sys/fs/cgroup";
    std::error_code ec;
    // v1 hierarchies first: in a hybrid layout a controller bound to v1 is not usable in v2.
    for (const char* c : {"cpu", "cpuset", "memory", "pids", "blkio"}) {
        if (fs::exists(base / c / "cgroup.procs", ec)) host.controllers[c] = 1;
    }
    for (const char* f : {"memory/memory.memsw.limit_in_bytes", "memory/memory.swappiness", "blkio/blkio.weight"}) {
        if (fs::exists(base / f, ec)) host.files.insert(fs::path(f).filename().string());
    }
    if (fs::exists(base / "cgroup.controllers", ec)) probe_v2(base, host);
    else if (fs::exists(base / "unified" / "cgroup.controllers", ec)) probe_v2(base / "unified", host);

    std::string online = first_line("/sys/devices/system/cpu/online");
    if (!online.empty()) host.cpus = online;
    std::ifstream meminfo("/proc/meminfo");
    for (std::string key; meminfo >> key;) {
        uint64_t kib = 0;
        meminfo >> kib;
        if (key == "MemTotal:") {
            host.memory_total = kib * 1024;
            break;
        }
        meminfo.ignore(256, '\n');
    }
    return host;
}

uint64_t memory_bytes(const std::string& value, const CgroupHost& host) { return memory_limit_bytes(value, host.memory_total); }

Error unsupported(const std::string& key, const std::string& what) {
    return Error(ErrorCode::NotSupported, fmt::format("cannot apply {}: {}", key, what), "config." + key);
}

void memory_limits(const api::ConfigMap& config, const CgroupHost& host, std::vector<CgroupSetting>& out) {
    auto it = host.controllers.find("memory");
    std::string memory = value_of(config, "limits.memory");
    std::string swap = value_of(config, "limits.memory.swap");
    std::string swap_priority = value_of(config, "limits.memory.swap.priority");
    if (it == host.controllers.end()) {
        if (!memory.empty()) throw unsupported("limits.memory", "the host has no memory cgroup controller");
        return;
    }
    int v = it->second;
    bool swap_off = !swap.empty() && !config::is_true(swap);
    if (!memory.empty()) {
        uint64_t bytes = memory_bytes(memory, host);
        std::string b = std::to_string(bytes);
        if (value_of(config, "limits.memory.enforce") == "soft") {
            // Only reclaimed down to this when the host is short of memory.
            out.push_back({"limits.memory", v, v == 1 ? "memory.soft_limit_in_bytes" : "memory.low", b});
        } else if (v == 1) {
            // The soft limit 10% below the hard one starts reclaim before the OOM killer.
            out.push_back({"limits.memory", 1, "memory.soft_limit_in_bytes", std::to_string(bytes / 10 * 9)});
            out.push_back({"limits.memory", 1, "memory.limit_in_bytes", b});
            // v1 limits memory+swap together: as much swap as memory, or none.
            if (host.files.count("memory.memsw.limit_in_bytes"))
                out.push_back({"limits.memory", 1, "memory.memsw.limit_in_bytes", std::to_string(swap_off ? bytes : 2 * bytes)});
        } else {
            out.push_back({"limits.memory", 2, "memory.max", b});
            if (host.files.count("memory.swap.max"))
                out.push_back({"limits.memory", 2, "memory.swap.max", swap_off ? "0" : b});
        }
    }
    // v2 has no per-cgroup swappiness; swap=false there is memory.swap.max=0 (with a limit).
    if (v == 1 && host.files.count("memory.swappiness")) {
        if (swap_off)
            out.push_back({"limits.memory.swap", 1, "memory.swappiness", "0"});
        else if (!swap_priority.empty())
            out.push_back({"limits.memory.swap.priority", 1, "memory.swappiness", std::to_string(70 - std::stoi(swap_priority))});
    } else if (v == 2 && swap_off && memory.empty() && host.files.count("memory.swap.max")) {
        out.push_back({"limits.memory.swap", 2, "memory.swap.max", "0"});
    }
}

void cpu_limits(const api::ConfigMap& config, const CgroupHost& host, std::vector<CgroupSetting>& out) {
    std::string cpus = value_of(config, "limits.cpu");
    if (!cpus.empty()) {
        auto it = host.controllers.find("cpuset");
        if (it == host.controllers.end()) throw unsupported("limits.cpu", "the host has no cpuset cgroup controller");
        out.push_back({"limits.cpu", it->second, "cpuset.cpus", cpuset_for(cpus, host.cpus)});
    }
    std::string allowance = value_of(config, "limits.cpu.allowance");
    std::string priority = value_of(config, "limits.cpu.priority");
    if (allowance.empty() && priority.empty()) return;
    const std::string key = allowance.empty() ? "limits.cpu.priority" : "limits.cpu.allowance";
    auto it = host.controllers.find("cpu");
    if (it == host.controllers.end()) throw unsupported(key, "the host has no cpu cgroup controller");
    int v = it->second;
    // LXD's scale: a full share is 1024 (v1 cpu.shares) or 100 (v2 cpu.weight); each priority
    // step below 10 takes one off.
    int64_t max_shares = v == 1 ? 1024 : 100;
    int64_t shares = -(10 - (priority.empty() ? 10 : std::stoi(priority)));
    int64_t quota_us = -1, period_us = 100000;
    if (allowance.empty()) {
        shares += max_shares;
    } else if (allowance.back() == '%') {
        shares += max_shares * std::stoll(allowance.substr(0, allowance.size() - 1)) / 100;
    } else {
        size_t slash = allowance.find('/');
        quota_us = std::stoll(allowance.substr(0, slash)) * 1000;
        period_us = std::stoll(allowance.substr(slash + 1)) * 1000;
        shares += max_shares;
    }
    shares = std::max<int64_t>(shares, v == 1 ? 2 : 1);  // the kernel's minimums
    if (shares != (v == 1 ? 1024 : 100)) out.push_back({key, v, v == 1 ? "cpu.shares" : "cpu.weight", std::to_string(shares)});
    if (quota_us > 0) {
        if (v == 1) {
            out.push_back({"limits.cpu.allowance", 1, "cpu.cfs_period_us", std::to_string(period_us)});
            out.push_back({"limits.cpu.allowance", 1, "cpu.cfs_quota_us", std::to_string(quota_us)});
        } else {
            out.push_back({"limits.cpu.allowance", 2, "cpu.max", fmt::format("{} {}", quota_us, period_us)});
        }
    }
}

}  // namespace

const CgroupHost& cgroup_host() {
    static const CgroupHost host = probe_host();
    return host;
}

std::vector<unsigned> parse_cpu_set(const std::string& set) {
    std::vector<unsigned> cpus;
    std::stringstream in(set);
    for (std::string part; std::getline(in, part, ',');) {
        if (part.empty()) continue;
        size_t dash = part.find('-');
        try {
            unsigned a = static_cast<unsigned>(std::stoul(part.substr(0, dash)));
            unsigned b = dash == std::string::npos ? a : static_cast<unsigned>(std::stoul(part.substr(dash + 1)));
            for (unsigned c = a; c <= b; ++c) cpus.push_back(c);
        } catch (...) {
        }
    }
    return cpus;
}

uint64_t memory_limit_bytes(const std::string& value, uint64_t memory_total) {
    if (!value.empty() && value.back() == '%') {
        uint64_t percent = std::stoull(value.substr(0, value.size() - 1));
        return memory_total * percent / 100;  // bytes of RAM times 100 fit 64 bits by far
    }
    return parse_size(value, "config.limits.memory");
}

std::string cpuset_for(const std::string& limit, const std::string& host_cpus) {
    if (limit.find_first_not_of("0123456789") != std::string::npos) return limit;
    std::vector<unsigned> all = parse_cpu_set(host_cpus);
    size_t count = std::min<size_t>(std::stoull(limit), all.size());
    all.resize(count);
    return format_cpu_set(all);
}

std::vector<CgroupSetting> cgroup_limits(const api::ConfigMap& config, const CgroupHost& host) {
    std::vector<CgroupSetting> out;
    memory_limits(config, host, out);
    cpu_limits(config, host, out);

    std::string processes = value_of(config, "limits.processes");
    if (!processes.empty()) {
        auto it = host.controllers.find("pids");
        if (it == host.controllers.end()) throw unsupported("limits.processes", "the host has no pids cgroup controller");
        out.push_back({"limits.processes", it->second, "pids.max", processes});
    }

    std::string disk = value_of(config, "limits.disk.priority");
    if (!disk.empty()) {
        // LXD's scale: priority 0-10 -> weight 10-1000.
        int weight = std::max(10, std::stoi(disk) * 100);
        auto io = host.controllers.find("io");
        auto blkio = host.controllers.find("blkio");
        if (blkio != host.controllers.end() && host.files.count("blkio.weight"))
            out.push_back({"limits.disk.priority", 1, "blkio.weight", std::to_string(weight)});
        else if (io != host.controllers.end() && host.files.count("io.weight"))
            out.push_back({"limits.disk.priority", 2, "io.weight", fmt::format("default {}", weight)});
        else
            throw unsupported("limits.disk.priority",
                              "the host's block I/O controller has no weight (blkio.weight or io.weight; the disk scheduler "
                              "may not support proportional weights)");
    }
    return out;
}

std::string cgroup_default_value(int version, const std::string& file, const CgroupHost& host) {
    static const std::map<std::string, std::string> v1 = {
        {"memory.limit_in_bytes", "-1"}, {"memory.memsw.limit_in_bytes", "-1"}, {"memory.soft_limit_in_bytes", "-1"},
        {"memory.swappiness", "60"},     {"pids.max", "max"},                    {"cpu.shares", "1024"},
        {"cpu.cfs_quota_us", "-1"},      {"cpu.cfs_period_us", "100000"},        {"blkio.weight", "500"},
    };
    static const std::map<std::string, std::string> v2 = {
        {"memory.max", "max"}, {"memory.swap.max", "max"}, {"memory.low", "0"}, {"pids.max", "max"},
        {"cpu.weight", "100"}, {"cpu.max", "max 100000"},  {"io.weight", "default 100"},
    };
    if (file == "cpuset.cpus") return host.cpus;
    const auto& table = version == 1 ? v1 : v2;
    auto it = table.find(file);
    return it == table.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, std::string>> prlimit_lines(const api::ConfigMap& config) {
    std::vector<std::pair<std::string, std::string>> lines;
    const std::string prefix = "limits.kernel.";
    for (const auto& [key, value] : config) {
        if (key.rfind(prefix, 0) != 0 || value.empty()) continue;
        lines.emplace_back("lxc.prlimit." + key.substr(prefix.size()), value);
    }
    return lines;
}

}  // namespace li
