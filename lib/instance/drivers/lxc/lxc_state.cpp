#include "instance/drivers/lxc/lxc_state.hpp"

#include <sstream>

#include "core/log.hpp"
#include "libinstance/error.hpp"
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

// The first of several cgroup files that exists: v1 names first, then the v2 equivalents.
std::optional<int64_t> first_item(const LxcContainer& c, std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
        if (auto v = number(c.cgroup_item(key))) return v;
    }
    return std::nullopt;
}

// cgroup v2's cpu.stat "usage_usec N" line, in nanoseconds.
std::optional<int64_t> cpu_stat_usage_ns(const LxcContainer& c) {
    auto text = c.cgroup_item("cpu.stat");
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    std::string key;
    int64_t value = 0;
    while (in >> key >> value) {
        if (key == "usage_usec") return value * 1000;
    }
    return std::nullopt;
}

}  // namespace

void read_running_state(const LxcContainer& c, const InstanceSpec& spec, api::InstanceState& st) {
    st.processes = first_item(c, {"pids.current"}).value_or(0);
    st.cpu.usage = first_item(c, {"cpuacct.usage"}).value_or(0);
    if (st.cpu.usage == 0) st.cpu.usage = cpu_stat_usage_ns(c).value_or(0);

    auto usage = first_item(c, {"memory.usage_in_bytes", "memory.current"});
    st.memory.usage = usage.value_or(0);
    st.memory.usage_peak = first_item(c, {"memory.max_usage_in_bytes", "memory.peak"}).value_or(0);
    // v1 accounts memory+swap together (memsw); v2 accounts swap alone.
    if (auto memsw = first_item(c, {"memory.memsw.usage_in_bytes"})) {
        st.memory.swap_usage = std::max<int64_t>(0, *memsw - st.memory.usage);
        if (auto memsw_peak = first_item(c, {"memory.memsw.max_usage_in_bytes"}))
            st.memory.swap_usage_peak = std::max<int64_t>(0, *memsw_peak - st.memory.usage_peak);
    } else {
        st.memory.swap_usage = first_item(c, {"memory.swap.current"}).value_or(0);
        st.memory.swap_usage_peak = first_item(c, {"memory.swap.peak"}).value_or(0);
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
