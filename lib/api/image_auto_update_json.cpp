#include "api/image_auto_update_json.hpp"

#include <nlohmann/json.hpp>

namespace li::api {

std::string image_auto_update_run_to_json(const ImageAutoUpdateRun& run) {
    auto refreshed = nlohmann::ordered_json::array();
    for (const auto& r : run.refreshed)
        refreshed.push_back({{"project", r.project},
                             {"old_fingerprint", r.old_fingerprint},
                             {"new_fingerprint", r.new_fingerprint},
                             {"aliases", r.aliases}});
    return nlohmann::ordered_json{{"ran", run.ran}, {"refreshed", refreshed}, {"failed", run.failed}}.dump();
}

}  // namespace li::api
