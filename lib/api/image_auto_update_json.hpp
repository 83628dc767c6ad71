#pragma once
// What an image auto-update pass did, as the C ABI returns it.

#include <string>

#include "libinstance/manager.hpp"

namespace li::api {

/// {"ran": true, "refreshed": [{"project", "old_fingerprint", "new_fingerprint", "aliases": [...]}],
///  "failed": ["project/fingerprint: why"]}
std::string image_auto_update_run_to_json(const ImageAutoUpdateRun& run);

}  // namespace li::api
