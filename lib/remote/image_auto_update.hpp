#pragma once
// LXD's periodic refresh of auto_update images (images.auto_update_interval hours apart, cached
// images only while images.auto_update_cached is true), run from the manager's minute tick.

#include <chrono>
#include <memory>

#include "libinstance/manager.hpp"

namespace li {

class ManagerCore;

/// One look at the clock: when images.auto_update_interval hours (0: never) have passed since
/// the last pass recorded in the state database (by any process sharing the state directory),
/// records now as the last pass and refreshes, in every project, each image with auto_update
/// set that came from an image server (cached ones only when images.auto_update_cached is true).
/// The first call on a state directory only starts the clock. A failing image is logged as a
/// warning and the pass goes on (and is listed in the result's failed); errors reading the
/// settings or the database are thrown.
ImageAutoUpdateRun run_image_auto_update(const std::shared_ptr<ManagerCore>& core, std::chrono::system_clock::time_point now);

}  // namespace li
