#include "instance/drivers/lxc/lxc_device_hooks.hpp"

#include "config/device_keys.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "instance/drivers/lxc/lxc_idmap.hpp"

namespace li {

DeviceEnv device_env(ManagerCore& core, const InstanceSpec& spec, const std::string& lxc_name, pid_t init_pid) {
    return DeviceEnv{core, spec, lxc_name, container_idmap(core, spec.config), core.lxc_dir() / lxc_name / "devices", init_pid};
}

std::vector<std::pair<std::string, api::ConfigMap>> hooked_devices(const api::DeviceMap& devices) {
    std::vector<std::pair<std::string, api::ConfigMap>> out;
    for (const auto& [name, device] : devices) {
        if (is_root_disk(device) || config::device_value(device, "type") == "none") continue;
        out.emplace_back(name, device);
    }
    return out;
}

namespace {
LxcDevice& device_of(const api::ConfigMap& device) { return lxc_device(config::device_value(device, "type")); }
}  // namespace

void start_devices(const DeviceEnv& env, LxcLines& lines) {
    stop_devices(env);
    Reverter revert;
    for (const auto& [name, device] : hooked_devices(env.spec.devices)) {
        LxcDevice& impl = device_of(device);
        revert.add([&env, &impl, name = name, device = device] { impl.stop(env, name, device); });
        impl.start(env, name, device, lines);
    }
    revert.success();
}

void post_start_devices(const DeviceEnv& env) {
    for (const auto& [name, device] : hooked_devices(env.spec.devices)) device_of(device).post_start(env, name, device);
}

void stop_devices(const DeviceEnv& env) {
    for (const auto& [name, device] : hooked_devices(env.spec.devices)) {
        try {
            device_of(device).stop(env, name, device);
        } catch (const std::exception& e) {
            log::warn("device clean-up failed", {{"instance", env.spec.name}, {"device", name}, {"error", e.what()}});
        }
    }
}

void update_devices(const DeviceEnv& env, const api::DeviceMap& before, const api::DeviceMap& after) {
    auto old_devices = hooked_devices(before);
    auto new_devices = hooked_devices(after);
    auto find = [](const auto& list, const std::string& name) -> const api::ConfigMap* {
        for (const auto& [n, d] : list)
            if (n == name) return &d;
        return nullptr;
    };
    Reverter revert;
    for (const auto& [name, device] : old_devices) {
        const api::ConfigMap* now = find(new_devices, name);
        if (now && *now == device) continue;
        device_of(device).detach(env, name, device);
        revert.add([&env, name = name, device = device] { device_of(device).attach(env, name, device); });
    }
    for (const auto& [name, device] : new_devices) {
        const api::ConfigMap* was = find(old_devices, name);
        if (was && *was == device) continue;
        device_of(device).attach(env, name, device);
        revert.add([&env, name = name, device = device] { device_of(device).detach(env, name, device); });
    }
    revert.success();
}

}  // namespace li
