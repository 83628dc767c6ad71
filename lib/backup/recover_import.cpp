// Manager::recover_validate / recover_import: the records of what the scan found, written again
// from each volume's backup.yaml (pools first, then instances and custom volumes with their
// snapshots), as `lxd recover` does.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backup/pool_marker.hpp"
#include "backup/recover_scan.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"
#include "store/instance_repo.hpp"
#include "store/instance_snapshot_repo.hpp"
#include "store/profile_repo.hpp"
#include "store/volume_repo.hpp"
#include "store/volume_snapshot_repo.hpp"

namespace li {

namespace {

std::string or_now(const std::string& when) { return when.empty() ? now_rfc3339() : when; }

const api::InstanceSnapshot* described_snapshot(const backup::Config& config, const std::string& name) {
    for (const auto& s : config.snapshots)
        if (s.name == name) return &s;
    return nullptr;
}

const api::StorageVolumeSnapshot* described_volume_snapshot(const std::optional<backup::Config>& config, const std::string& name) {
    if (!config) return nullptr;
    for (const auto& s : config->volume_snapshots)
        if (s.name == name) return &s;
    return nullptr;
}

void import_instance(SQLite::Database& db, const backup::FoundVolume& v) {
    const api::Instance& i = *v.config->instance;
    InstanceRecord record;
    record.project = v.project;
    record.name = v.name;
    record.type = i.type;
    record.architecture = i.architecture;
    record.description = i.description;
    record.ephemeral = i.ephemeral;
    record.created_at = or_now(i.created_at);
    record.last_used_at = i.last_used_at;
    record.config = i.config;
    // Nothing runs after a disaster: the instance comes back stopped, whatever it was.
    if (record.config.count("volatile.last_state.power")) record.config["volatile.last_state.power"] = "STOPPED";
    record.devices = i.devices;
    record.profiles = i.profiles;
    int64_t id = repo::insert_instance(db, record);
    for (const auto& name : v.snapshots) {
        InstanceSnapshotRecord s;
        s.instance_id = id;
        s.name = name;
        // A snapshot backup.yaml does not describe (taken after it was last written) takes the
        // instance's settings: the files are what matters.
        const api::InstanceSnapshot* d = described_snapshot(*v.config, name);
        s.description = d ? d->description : "";
        s.architecture = d ? d->architecture : i.architecture;
        s.ephemeral = d ? d->ephemeral : i.ephemeral;
        s.stateful = d ? d->stateful : false;
        s.created_at = or_now(d ? d->created_at : "");
        s.expires_at = d ? d->expires_at : "";
        s.last_used_at = d ? d->last_used_at : "";
        s.config = d ? d->config : record.config;
        s.devices = d ? d->devices : record.devices;
        s.profiles = d ? d->profiles : record.profiles;
        repo::insert_instance_snapshot(db, s);
    }
}

void import_custom_volume(SQLite::Database& db, int64_t pool_id, const backup::FoundVolume& v) {
    VolumeRecord record;
    record.pool_id = pool_id;
    record.project = v.project;
    record.name = v.name;
    record.type = "custom";
    if (v.config && v.config->volume) {
        const api::StorageVolume& d = *v.config->volume;
        record.content_type = d.content_type;
        record.description = d.description;
        record.config = d.config;
        record.created_at = or_now(d.created_at);
    } else {
        record.created_at = now_rfc3339();
    }
    int64_t id = repo::insert_volume(db, record);
    for (const auto& name : v.snapshots) {
        VolumeSnapshotRecord s;
        s.volume_id = id;
        s.name = name;
        const api::StorageVolumeSnapshot* d = described_volume_snapshot(v.config, name);
        s.description = d ? d->description : "";
        s.created_at = or_now(d ? d->created_at : "");
        s.expires_at = d ? d->expires_at : "";
        s.config = d ? d->config : record.config;
        repo::insert_volume_snapshot(db, s);
    }
}

}  // namespace

RecoverResult Manager::recover_validate(const RecoverOptions& opts) {
    core_->refuse_remote("disaster recovery");
    return backup::scan_for_recovery(*core_, opts).result();
}

RecoverResult Manager::recover_import(const RecoverOptions& opts) {
    core_->refuse_remote("disaster recovery");
    backup::Scan scan = backup::scan_for_recovery(*core_, opts);
    if (!scan.dependency_errors.empty())
        throw Error::invalid("dependencies", fmt::format("recovery needs these fixed first: {}", fmt::join(scan.dependency_errors, "; ")));
    RecoverResult imported = scan.result();
    ManagerCore& core = *core_;
    for (auto& pool : scan.pools) {
        if (pool.record.id != 0) continue;
        core.db().transaction([&](SQLite::Database& db) { pool.record.id = repo::insert_pool(db, pool.record); });
        // The pool stays mounted, now the manager's like any other.
        core.add_pool(pool.record.name, std::move(pool.owned));
        backup::write_pool_marker(core, pool.record.name);
        log::info("storage pool recovered", {{"pool", pool.record.name}, {"driver", pool.record.driver}});
        core.events().lifecycle("default", "storage-pool-created", "/1.0/storage-pools/" + pool.record.name,
                                {{"driver", pool.record.driver}});
    }
    auto pool_id = [&](const std::string& name) {
        for (const auto& p : scan.pools)
            if (p.record.name == name) return p.record.id;
        throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", name), "pool");
    };
    // Custom volumes first: instances may attach them.
    for (const auto& v : scan.volumes) {
        if (v.type != "custom") continue;
        core.db().transaction([&](SQLite::Database& db) { import_custom_volume(db, pool_id(v.pool), v); });
        backup::write_custom_volume_backup_file(core, v.project, v.pool, v.name);
        log::info("storage volume recovered", {{"pool", v.pool}, {"volume", v.name}, {"project", v.project}});
        core.events().lifecycle(v.project, "storage-volume-created", api_source("storage-pools", v.pool + "/volumes/custom/" + v.name, v.project),
                                {{"type", "custom"}});
    }
    for (const auto& v : scan.volumes) {
        if (v.type == "custom") continue;
        core.db().transaction([&](SQLite::Database& db) { import_instance(db, v); });
        backup::write_instance_backup_file(core, v.project, v.name);
        log::info("instance recovered", {{"instance", v.name}, {"project", v.project}, {"pool", v.pool}});
        core.events().lifecycle(v.project, "instance-created", api_source("instances", v.name, v.project),
                                {{"type", v.type}, {"storage-pool", v.pool}});
    }
    return imported;
}

}  // namespace li
