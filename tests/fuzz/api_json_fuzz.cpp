// libFuzzer target for request bodies turned into the library's api types, as instanced and the
// C ABI take them: every parser must refuse bad JSON or bad fields with li::Error and never
// crash, hang or throw anything else. The first byte picks the parser; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libinstance/api/image.hpp"
#include "libinstance/api/instance.hpp"
#include "libinstance/api/instance_snapshot.hpp"
#include "libinstance/api/network.hpp"
#include "libinstance/api/profile.hpp"
#include "libinstance/api/project.hpp"
#include "libinstance/api/storage.hpp"
#include "libinstance/api/storage_volume.hpp"
#include "libinstance/error.hpp"

using namespace li::api;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 14) {
        case 0: to_json(instances_post_from_json(body)); break;
        case 1: to_json(instance_put_from_json(body)); break;
        case 2: to_json(instance_snapshots_post_from_json(body)); break;
        case 3: to_json(instance_snapshot_put_from_json(body)); break;
        case 4: to_json(profiles_post_from_json(body)); break;
        case 5: to_json(profile_put_from_json(body)); break;
        case 6: to_json(networks_post_from_json(body)); break;
        case 7: to_json(network_put_from_json(body)); break;
        case 8: to_json(storage_pools_post_from_json(body)); break;
        case 9: to_json(storage_volumes_post_from_json(body)); break;
        case 10: to_json(storage_volume_put_from_json(body)); break;
        case 11: to_json(image_put_from_json(body)); break;
        case 12: to_json(projects_post_from_json(body)); break;
        default: to_json(project_put_from_json(body)); break;
        }
    } catch (const li::Error&) {
    }
    return 0;
}
