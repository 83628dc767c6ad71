#include "backup/pool_marker.hpp"

#include <fmt/format.h>

#include "backup/backup_config.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "store/profile_repo.hpp"
#include "sys/fs.hpp"

namespace fs = std::filesystem;

namespace li::backup {

fs::path pool_root(const StorageDriver& driver) {
    // Every driver lays volumes out as <root>/<type>/<name>.
    return driver.volume_path(VolumeRef{VolumeType::Custom, "x"}).parent_path().parent_path();
}

void write_pool_marker(ManagerCore& core, const std::string& pool) noexcept {
    try {
        auto record = core.db().read([&](SQLite::Database& db) { return repo::find_pool(db, pool); });
        if (!record) return;
        Config config;
        config.pool.emplace();
        config.pool->name = record->name;
        config.pool->driver = record->driver;
        config.pool->description = record->description;
        config.pool->config = record->config;
        write_file_atomic(pool_root(core.pool(pool)) / kPoolMarker, to_yaml(config), 0600);
    } catch (const std::exception& e) {
        log::warn("cannot write the storage pool's description", {{"pool", pool}, {"err", e.what()}});
    }
}

void remove_pool_marker(const StorageDriver& driver) noexcept {
    try {
        std::error_code ec;
        fs::remove(pool_root(driver) / kPoolMarker, ec);
    } catch (const std::exception& e) {
        log::warn("cannot remove the storage pool's description", {{"err", e.what()}});
    }
}

std::optional<api::StoragePool> read_pool_marker(const fs::path& root) {
    fs::path file = root / kPoolMarker;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return std::nullopt;
    Config config = config_from_yaml(read_file(file, 1 << 20), file.string());
    if (!config.pool) throw Error::invalid(file.string(), fmt::format("{} describes no pool", file.string()));
    return config.pool;
}

}  // namespace li::backup
