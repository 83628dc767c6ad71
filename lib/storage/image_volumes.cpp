#include "storage/image_volumes.hpp"

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "store/pool_repo.hpp"

namespace li {

void release_image_volumes(ManagerCore& core, const std::string& fingerprint) {
    if (fingerprint.empty()) return;
    for (const auto& pool_name : core.pool_names()) {
        auto lock = core.locks().lock_image_volume(pool_name, fingerprint);
        // Checked under the volume lock, so a concurrent unpack of the same image waits for this.
        if (core.db().read([&](SQLite::Database& db) { return repo::fingerprint_in_use(db, fingerprint); })) return;
        try {
            core.pool(pool_name).delete_volume(VolumeRef{VolumeType::Image, fingerprint});
        } catch (const Error& e) {
            log::warn("could not delete an unused image volume", {{"pool", pool_name}, {"fingerprint", fingerprint}, {"error", e.what()}});
        }
    }
}

}  // namespace li
