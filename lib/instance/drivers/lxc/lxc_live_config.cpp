#include "instance/drivers/lxc/lxc_live_config.hpp"

#include <fmt/format.h>
#include <map>

#include "backend/lxc/lxc_container.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "instance/drivers/lxc/lxc_limits.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {

struct Write {
    std::string key;  // the config key, for errors
    std::string file;
    std::string value;
};

using FileKey = std::pair<int, std::string>;  // (cgroup version, file)

std::map<FileKey, const CgroupSetting*> by_file(const std::vector<CgroupSetting>& settings) {
    std::map<FileKey, const CgroupSetting*> out;
    for (const auto& s : settings) out[{s.version, s.file}] = &s;
    return out;
}

// The cgroup writes that turn the `before` limits into the `after` ones: changed and new files,
// and files no longer limited set back to their defaults.
std::vector<Write> writes_between(const std::vector<CgroupSetting>& before, const std::vector<CgroupSetting>& after,
                                  const CgroupHost& host) {
    auto old_files = by_file(before);
    auto new_files = by_file(after);
    std::vector<Write> writes;
    for (const auto& s : after) {
        auto it = old_files.find({s.version, s.file});
        if (it == old_files.end() || it->second->value != s.value) writes.push_back({s.key, s.file, s.value});
    }
    for (const auto& s : before) {
        if (new_files.count({s.version, s.file})) continue;
        std::string reset = cgroup_default_value(s.version, s.file, host);
        if (!reset.empty()) writes.push_back({s.key, s.file, reset});
    }
    return writes;
}

}  // namespace

void apply_live_config(const DeviceEnv& env, const api::ConfigMap& before, const api::ConfigMap& after) {
    // Other live keys (user.*, environment.*, boot.*, security.protection.delete) need no action
    // on the running container: they are read when used.
    const CgroupHost& host = cgroup_host();
    std::vector<CgroupSetting> old_limits;
    try {
        old_limits = cgroup_limits(before, host);
    } catch (const Error&) {
        // What could not apply before was never applied: everything of `after` is written.
    }
    std::vector<Write> pending = writes_between(old_limits, cgroup_limits(after, host), host);
    if (pending.empty()) return;

    LxcContainer c(env.lxc_name, env.core.lxc_dir());
    if (!c.running()) return;  // the next start renders the new limits
    std::vector<std::pair<std::string, std::string>> undo;  // (file, previous value), in write order
    auto rollback = [&] {
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
            if (!c.set_cgroup_item(it->first, it->second))
                log::warn("restoring a cgroup limit failed", {{"instance", env.spec.name}, {"file", it->first}});
        }
    };
    // Some files constrain each other (v1's memory limit may not exceed memory+swap's): a write
    // refused in the first pass is retried once the others are in.
    for (int pass = 0; pass < 2 && !pending.empty(); ++pass) {
        std::vector<Write> refused;
        for (const auto& w : pending) {
            std::optional<std::string> previous = c.cgroup_item(w.file);
            if (c.set_cgroup_item(w.file, w.value)) {
                if (previous) undo.emplace_back(w.file, *previous);
            } else {
                refused.push_back(w);
            }
        }
        pending = std::move(refused);
    }
    if (!pending.empty()) {
        rollback();
        const Write& w = pending.front();
        auto value = after.find(w.key);
        throw Error::invalid("config." + w.key,
                             fmt::format("cannot apply {}=\"{}\" to the running instance: the kernel refused {} = {}", w.key,
                                         value == after.end() ? std::string() : value->second, w.file, w.value));
    }
}

}  // namespace li
