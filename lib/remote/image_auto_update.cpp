// Auto-update of images. The last pass is claimed in the database with one conditional write
// (store/server_state_repo.hpp) before any refresh, so that processes sharing a state directory
// each run the minute tick but only one of them refreshes per interval.
#include "remote/image_auto_update.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "config/validators.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/server_config.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "libinstance/manager.hpp"
#include "store/image_repo.hpp"
#include "store/server_state_repo.hpp"

namespace li {

namespace {

constexpr const char* kLastPassKey = "images.auto_update.last_pass";
// Hours beyond this (about 114 years) are as good as never; keeps the seconds from overflowing.
constexpr uint64_t kMaxHours = uint64_t{1} << 20;

uint64_t interval_hours(ManagerCore& core) {
    std::string value = server_config_get(core, "images.auto_update_interval");
    uint64_t hours = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), hours);
    // Validated when set; a value written behind our back is reported, not guessed at.
    if (value.empty() || ec != std::errc() || end != value.data() + value.size())
        throw Error::invalid("images.auto_update_interval",
                             "invalid value \"" + value + "\" for images.auto_update_interval: must be a number of hours");
    return std::min(hours, kMaxHours);
}

}  // namespace

ImageAutoUpdateRun run_image_auto_update(const std::shared_ptr<ManagerCore>& core, std::chrono::system_clock::time_point now) {
    ImageAutoUpdateRun run;
    uint64_t hours = interval_hours(*core);
    if (hours == 0) return run;
    int64_t now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    int64_t interval_s = static_cast<int64_t>(hours) * 3600;
    bool claimed = core->db().transaction([&](SQLite::Database& db) {
        // A state directory's first pass only starts the clock: its images were just pulled.
        if (repo::start_periodic_clock(db, kLastPassKey, now_s)) return false;
        return repo::claim_periodic_pass(db, kLastPassKey, now_s, interval_s);
    });
    if (!claimed) return run;
    run.ran = true;

    bool cached_too = config::is_true(server_config_get(*core, "images.auto_update_cached"));
    auto images = core->db().read([](SQLite::Database& db) { return repo::list_auto_update_images(db); });
    ImageStore store(core);
    for (const auto& record : images) {
        const api::Image& image = record.image;
        if (image.cached && !cached_too) continue;
        auto fail = [&](const char* why) {
            log::warn("image auto-update failed", {{"image", image.fingerprint}, {"project", image.project}, {"error", why}});
            run.failed.push_back(image.project + "/" + image.fingerprint + ": " + why);
        };
        try {
            // Logged, and announced as image-refreshed, by the refresh itself when it changes anything.
            api::Image current = store.refresh(image.project, image.fingerprint);
            if (current.fingerprint == image.fingerprint) continue;
            ImageAutoUpdateRefresh done{image.project, image.fingerprint, current.fingerprint, {}};
            for (const auto& alias : current.aliases) done.aliases.push_back(alias.name);
            run.refreshed.push_back(std::move(done));
        } catch (const Error& e) {
            // Deleted since the listing (or replaced by the refresh of an image sharing it).
            if (e.code() == ErrorCode::NotFound && e.key() == "image") continue;
            fail(e.what());
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }
    return run;
}

ImageAutoUpdateRun Manager::run_image_auto_update(std::chrono::system_clock::time_point now) {
    core_->refuse_remote("running the image auto-update");
    return li::run_image_auto_update(core_, now);
}

}  // namespace li
