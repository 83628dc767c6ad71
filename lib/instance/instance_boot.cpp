#include <optional>
#include "instance/instance_boot.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <fmt/format.h>
#include <map>
#include <thread>
#include <tuple>

#include "config/validators.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/operations.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "store/instance_repo.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr int kRunning = 103;

std::string value_of(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
}

int64_t int_of(const api::ConfigMap& config, const std::string& key, int64_t fallback) {
    try {
        std::string v = value_of(config, key);
        return v.empty() ? fallback : std::stoll(v);
    } catch (...) {
        return fallback;
    }
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Every instance of every project, with state.
std::vector<api::Instance> all_instances(const std::shared_ptr<ManagerCore>& core) {
    std::vector<std::string> projects = core->db().read([](SQLite::Database& db) {
        std::vector<std::string> out;
        SQLite::Statement q(db, "SELECT DISTINCT project FROM instances ORDER BY project");
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    });
    std::vector<api::Instance> out;
    InstanceStore store(core);
    for (const auto& p : projects)
        for (auto& i : store.list(p, false)) out.push_back(std::move(i));
    return out;
}

std::vector<const api::Instance*> ordered(std::vector<const api::Instance*> list, const char* priority_key) {
    std::stable_sort(list.begin(), list.end(), [&](const api::Instance* a, const api::Instance* b) {
        int64_t pa = int_of(a->expanded_config, priority_key, 0), pb = int_of(b->expanded_config, priority_key, 0);
        if (pa != pb) return pa > pb;
        return std::tie(a->project, a->name) < std::tie(b->project, b->name);
    });
    return list;
}

}  // namespace

bool first_open_since_boot(const fs::path& state_dir) {
    std::string boot_id;
    try {
        boot_id = trimmed(read_file("/proc/sys/kernel/random/boot_id", 4096));
    } catch (const Error&) {
        return false;  // no boot id: never autostart rather than at every open
    }
    fs::path file = state_dir / "boot_id";
    std::string recorded;
    try {
        recorded = trimmed(read_file(file, 4096));
    } catch (const Error&) {
    }
    if (recorded == boot_id) return false;
    write_file_atomic(file, boot_id + "\n", 0600);
    return true;
}

std::vector<const api::Instance*> autostart_order(const std::vector<api::Instance>& instances) {
    std::vector<const api::Instance*> chosen;
    for (const auto& i : instances) {
        std::string autostart = value_of(i.expanded_config, "boot.autostart");
        bool start = autostart.empty() ? value_of(i.expanded_config, "volatile.last_state.power") == "RUNNING" : config::is_true(autostart);
        if (start) chosen.push_back(&i);
    }
    return ordered(std::move(chosen), "boot.autostart.priority");
}

std::vector<const api::Instance*> shutdown_order(const std::vector<api::Instance>& instances) {
    std::vector<const api::Instance*> running;
    for (const auto& i : instances)
        if (i.status_code == kRunning) running.push_back(&i);
    return ordered(std::move(running), "boot.stop.priority");
}

void set_last_power_state(ManagerCore& core, const std::string& project, const std::string& name, const std::string& state) {
    core.db().transaction([&](SQLite::Database& db) {
        auto record = repo::find_instance(db, project, name);
        if (!record || value_of(record->config, "volatile.last_state.power") == state) return;
        record->config["volatile.last_state.power"] = state;
        repo::update_instance(db, *record);
    });
}

std::optional<Operation> autostart_instances(std::shared_ptr<ManagerCore> core) {
    // No operation when there is nothing to start: a background operation keeps the manager (and
    // the state directory's lock) alive until it ends, so a close right after open would not
    // release the directory at once.
    std::vector<api::Instance> instances = all_instances(core);
    if (autostart_order(instances).empty()) return std::nullopt;
    OperationSpec spec{"Starting instances", "default", {}, true};
    auto work = [core, instances = std::move(instances)](OperationContext& ctx) {
        auto order = autostart_order(instances);
        size_t done = 0;
        for (const api::Instance* i : order) {
            ctx.check_cancelled();
            ++done;
            if (i->status_code == kRunning) continue;
            try {
                Instance(core, i->project, i->name).start();
                log::info("instance autostarted", {{"instance", i->name}, {"project", i->project}});
            } catch (const std::exception& e) {
                log::warn("autostarting an instance failed", {{"instance", i->name}, {"project", i->project}, {"error", e.what()}});
                continue;
            }
            ctx.progress("autostart_progress", "Starting instances", static_cast<int>(done * 100 / order.size()));
            // The delay lets what this instance provides come up before the next one starts.
            int64_t delay = int_of(i->expanded_config, "boot.autostart.delay", 0);
            if (delay > 0 && done < order.size()) {
                std::stop_token stop = ctx.stop_token();
                std::mutex m;
                std::condition_variable_any cv;
                std::unique_lock lock(m);
                cv.wait_for(lock, stop, std::chrono::seconds(delay), [] { return false; });
            }
        }
    };
    return core->operations().run(spec, std::move(work), true, core);
}

Operation shutdown_instances(std::shared_ptr<ManagerCore> core, bool async) {
    OperationSpec spec{"Stopping instances", "default", {}, false};
    auto work = [core](OperationContext& ctx) {
        std::vector<api::Instance> instances = all_instances(core);
        auto order = shutdown_order(instances);
        // Instances of one priority stop together; the next priority waits for them.
        std::vector<std::string> failures;
        for (size_t first = 0; first < order.size();) {
            int64_t priority = int_of(order[first]->expanded_config, "boot.stop.priority", 0);
            size_t last = first;
            while (last < order.size() && int_of(order[last]->expanded_config, "boot.stop.priority", 0) == priority) ++last;
            std::vector<std::thread> threads;
            std::mutex failures_mutex;
            for (size_t k = first; k < last; ++k) {
                const api::Instance* i = order[k];
                threads.emplace_back([&, i] {
                    StopOptions opts;
                    opts.timeout = std::chrono::seconds(int_of(i->expanded_config, "boot.host_shutdown_timeout", 30));
                    try {
                        Instance(core, i->project, i->name).stop(opts);
                        // Stopped by the host, not by its user: the next boot starts it again.
                        set_last_power_state(*core, i->project, i->name, "RUNNING");
                    } catch (const Error& e) {
                        if (e.code() == ErrorCode::Conflict) return;  // stopped meanwhile
                        std::lock_guard g(failures_mutex);
                        failures.push_back(fmt::format("{}: {}", i->name, e.what()));
                    }
                });
            }
            for (auto& t : threads) t.join();
            first = last;
            ctx.progress("stop_progress", "Stopping instances", static_cast<int>(first * 100 / order.size()));
        }
        if (!failures.empty())
            throw Error(ErrorCode::Backend, fmt::format("stopping instances failed: {}", fmt::join(failures, "; ")));
    };
    return core->operations().run(spec, std::move(work), async, core);
}

}  // namespace li
