#include "core/background_jobs.hpp"

#include <chrono>
#include <cstdlib>
#include <string_view>

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/minute_ticker.hpp"
#include "instance/snapshot_schedule.hpp"
#include "remote/image_auto_update.hpp"

namespace li {

namespace {

bool off(const char* name) {
    const char* env = std::getenv(name);
    return env && std::string_view(env) == "0";
}

}  // namespace

void start_background_jobs(const std::shared_ptr<ManagerCore>& core) {
    if (off("LIBINSTANCE_SNAPSHOT_SCHEDULER") || off("LIBINSTANCE_BACKGROUND_JOBS")) return;
    // Weak: the thread must not keep the state directory open; a pass in progress holds it until
    // it ends (and may then be the one that closes it).
    std::weak_ptr<ManagerCore> weak = core;
    core->set_snapshot_scheduler(std::make_unique<MinuteTicker>([weak](std::chrono::system_clock::time_point now) {
        auto held = weak.lock();
        if (!held) return;
        snapshot_schedule_tick(held, now);
        // Most ticks only read the interval; a refresh (downloads) delays the next tick, which
        // the ticker tolerates. Nothing may escape into the ticker's thread.
        try {
            run_image_auto_update(held, now);
        } catch (const std::exception& e) {
            log::warn("image auto-update pass failed", {{"error", e.what()}});
        } catch (...) {
            log::warn("image auto-update pass failed", {{"error", "unknown exception"}});
        }
    }));
}

}  // namespace li
