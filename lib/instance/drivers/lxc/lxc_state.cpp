#include "instance/drivers/lxc/lxc_state.hpp"

#include <sstream>

#include "core/log.hpp"
#include "libinstance/error.hpp"
#include "sys/cgroup_reader.hpp"
#include "sys/disk_usage.hpp"
#include "sys/netns_interfaces.hpp"

namespace li {

namespace {

std::optional<int64_t> number(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    try {
        return std::stoll(*text);
    } catch (...) {
        return std::nullopt;
    }
}

// The container's cgroup files: read straight from the host's cgroup file systems when the init's
// /proc/<pid>/cgroup is readable, else through liblxc (which asks the monitor for every file).
class CgroupItems {
public:
    CgroupItems(const LxcContainer& c, const std::string& lxc_name, pid_t pid)
        : c_(c), direct_(pid > 0 ? CgroupReader::of_pid(pid, "lxc.payload." + lxc_name) : std::nullopt) {}

    std::optional<std::string> get(const char* key) const { return direct_ ? direct_->read(key) : c_.cgroup_item(key); }

    // The first of several cgroup files that exists: v1 names first, then the v2 equivalents.
    std::optional<int64_t> first(std::initializer_list<const char*> keys) const {
        for (const char* key : keys) {
            if (auto v = number(get(key))) return v;
        }
        return std::nullopt;
    }

    // cgroup v2's cpu.stat "usage_usec N" line, in nanoseconds.
    std::optional<int64_t> cpu_stat_usage_ns() const {
        auto text = get("cpu.stat");
        if (!text) return std::nullopt;
        std::istringstream in(*text);
        std::string key;
        int64_t value = 0;
        while (in >> key >> value) {
            if (key == "usage_usec") return value * 1000;
        }
        return std::nullopt;
    }

private:
    const LxcContainer& c_;
    std::optional<CgroupReader> direct_;
};

}  // namespace

void read_running_state(const LxcContainer& c, const std::string& lxc_name, const InstanceSpec& spec,
                        api::InstanceState& st) {
    CgroupItems cg(c, lxc_name, static_cast<pid_t>(st.pid));
    st.processes = cg.first({"pids.current"}).value_or(0);
    st.cpu.usage = cg.first({"cpuacct.usage"}).value_or(0);
    if (st.cpu.usage == 0) st.cpu.usage = cg.cpu_stat_usage_ns().value_or(0);

    auto usage = cg.first({"memory.usage_in_bytes", "memory.current"});
    st.memory.usage = usage.value_or(0);
    st.memory.usage_peak = cg.first({"memory.max_usage_in_bytes", "memory.peak"}).value_or(0);
    // v1 accounts memory+swap together (memsw); v2 accounts swap alone.
    if (auto memsw = cg.first({"memory.memsw.usage_in_bytes"})) {
        st.memory.swap_usage = std::max<int64_t>(0, *memsw - st.memory.usage);
        if (auto memsw_peak = cg.first({"memory.memsw.max_usage_in_bytes"}))
            st.memory.swap_usage_peak = std::max<int64_t>(0, *memsw_peak - st.memory.usage_peak);
    } else {
        st.memory.swap_usage = cg.first({"memory.swap.current"}).value_or(0);
        st.memory.swap_usage_peak = cg.first({"memory.swap.peak"}).value_or(0);
    }

    if (st.pid <= 0) return;
    try {
        st.network = netns_interfaces(static_cast<pid_t>(st.pid));
    } catch (const Error& e) {
        // The container may be stopping; its state is still worth returning without interfaces.
        log::debug("reading the container's interfaces failed", {{"instance", spec.name}, {"error", e.what()}});
    }
    // The host side of a nic's veth is recorded as volatile.<device>.host_name; inside, the
    // interface has the device's "name" (the device name when unset).
    for (const auto& [device, dev] : spec.devices) {
        auto type = dev.find("type");
        if (type == dev.end() || type->second != "nic") continue;
        auto inner = dev.find("name");
        auto nic = st.network.find(inner != dev.end() ? inner->second : device);
        auto host = spec.config.find("volatile." + device + ".host_name");
        if (nic != st.network.end() && host != spec.config.end()) nic->second.host_name = host->second;
    }
}

api::InstanceStateDisk root_disk_usage(const std::filesystem::path& volume_dir) {
    return api::InstanceStateDisk{tree_disk_usage(volume_dir.string())};
}

}  // namespace li
