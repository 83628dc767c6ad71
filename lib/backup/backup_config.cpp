// The backup config of an instance or a custom volume as the database has it, and backup.yaml
// kept beside each volume's content so disaster recovery can rebuild the database from the pools.

#include "backup/backup_config.hpp"

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "instance/expand.hpp"
#include "instance/instance_loader.hpp"
#include "instance/instance_snapshots.hpp"
#include "libinstance/error.hpp"
#include "store/profile_repo.hpp"
#include "store/volume_repo.hpp"
#include "store/volume_snapshot_repo.hpp"
#include "backup/pool_marker.hpp"
#include "storage/volume_layout.hpp"
#include "sys/fs.hpp"

namespace fs = std::filesystem;

namespace li::backup {

namespace {

constexpr const char* kFileName = "backup.yaml";

api::StoragePool pool_of(const PoolRecord& record) {
    api::StoragePool pool;
    pool.name = record.name;
    pool.driver = record.driver;
    pool.description = record.description;
    pool.config = record.config;
    return pool;
}

PoolRecord pool_or_throw(SQLite::Database& db, const std::string& name) {
    auto record = repo::find_pool(db, name);
    if (!record) throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", name), "pool");
    return std::move(*record);
}

void write_beside(ManagerCore& core, const std::string& pool, const VolumeRef& ref, const Config& config) {
    StorageDriver& driver = core.pool(pool);
    // A volume that is not there (yet, or any more) has nothing to describe.
    if (!driver.volume_exists(ref)) return;
    fs::path file = ref.type == VolumeType::Custom ? custom_volume_backup_path(pool_root(driver), ref.name)
                                                   : driver.volume_path(ref) / kFileName;
    write_file_atomic(file, to_yaml(config), 0600);
}

}  // namespace

Config instance_config(ManagerCore& core, std::string_view project_in, std::string_view name_in) {
    std::string project = project_or_default(project_in), name(name_in);
    LoadedInstance loaded = load_instance(core, project, name);
    Config config;
    config.instance = to_api(loaded, api::InstanceState{}, false);
    config.snapshots = list_instance_snapshots(core, project, name);
    std::string pool = root_disk_pool(loaded.expanded.devices);
    core.db().read([&](SQLite::Database& db) {
        config.pool = pool_of(pool_or_throw(db, pool));
        return 0;
    });
    api::StorageVolume volume;
    volume.name = name;
    volume.type = loaded.record.type;
    volume.project = project;
    volume.created_at = loaded.record.created_at;
    config.volume = std::move(volume);
    for (const auto& s : config.snapshots) {
        api::StorageVolumeSnapshot vs;
        vs.name = s.name;
        vs.description = s.description;
        vs.created_at = s.created_at;
        vs.expires_at = s.expires_at;
        config.volume_snapshots.push_back(std::move(vs));
    }
    return config;
}

Config custom_volume_config(ManagerCore& core, std::string_view project_in, std::string_view pool_in,
                            std::string_view volume_in) {
    std::string project = project_or_default(project_in), pool(pool_in), name(volume_in);
    Config config;
    core.db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        auto v = repo::find_volume(db, p.id, project, "custom", name);
        if (!v)
            throw Error(ErrorCode::NotFound, fmt::format("storage volume \"{}\" not found on pool \"{}\"", name, pool), "name");
        config.pool = pool_of(p);
        api::StorageVolume volume;
        volume.name = v->name;
        volume.type = v->type;
        volume.content_type = v->content_type;
        volume.description = v->description;
        volume.config = v->config;
        volume.project = v->project;
        volume.created_at = v->created_at;
        config.volume = std::move(volume);
        for (const auto& s : repo::list_volume_snapshots(db, v->id)) {
            api::StorageVolumeSnapshot vs;
            vs.name = s.name;
            vs.description = s.description;
            vs.config = s.config;
            vs.content_type = v->content_type;
            vs.created_at = s.created_at;
            vs.expires_at = s.expires_at;
            config.volume_snapshots.push_back(std::move(vs));
        }
        return 0;
    });
    return config;
}

void write_instance_backup_file(ManagerCore& core, std::string_view project_in, std::string_view name) noexcept {
    std::string project = project_or_default(project_in);
    try {
        Config config = instance_config(core, project, name);
        write_beside(core, config.pool->name,
                     VolumeRef{VolumeType::Container, project_prefixed_name(project, std::string(name))}, config);
    } catch (const std::exception& e) {
        log::warn("cannot write the instance's backup.yaml",
                  {{"instance", std::string(name)}, {"project", project}, {"err", e.what()}});
    }
}

void write_custom_volume_backup_file(ManagerCore& core, std::string_view project_in, std::string_view pool,
                                     std::string_view volume) noexcept {
    std::string project = project_or_default(project_in);
    try {
        Config config = custom_volume_config(core, project, pool, volume);
        write_beside(core, std::string(pool),
                     VolumeRef{VolumeType::Custom, project_prefixed_name(project, std::string(volume))}, config);
    } catch (const std::exception& e) {
        log::warn("cannot write the storage volume's backup.yaml",
                  {{"volume", std::string(volume)}, {"pool", std::string(pool)}, {"project", project}, {"err", e.what()}});
    }
}

fs::path custom_volume_backup_path(const fs::path& pool_root, const std::string& disk_name) {
    return pool_root / volume_type_dir(VolumeType::Custom) / ("." + disk_name + ".backup.yaml");
}

void remove_custom_volume_backup_file(ManagerCore& core, std::string_view project_in, std::string_view pool,
                                      std::string_view volume) noexcept {
    try {
        std::string disk_name = project_prefixed_name(project_or_default(project_in), std::string(volume));
        std::error_code ec;
        fs::remove(custom_volume_backup_path(pool_root(core.pool(std::string(pool))), disk_name), ec);
    } catch (const std::exception& e) {
        log::warn("cannot remove the storage volume's backup.yaml", {{"volume", std::string(volume)}, {"pool", std::string(pool)}, {"err", e.what()}});
    }
}

}  // namespace li::backup
