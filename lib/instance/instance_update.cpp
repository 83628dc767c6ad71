#include "instance/instance_update.hpp"

#include <fmt/format.h>

#include "backup/backup_config.hpp"
#include "config/config_key.hpp"
#include "config/device_keys.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/names.hpp"
#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"
#include "network/network_nic.hpp"
#include "storage/custom_volume.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"
#include "sys/sha256.hpp"
#include "project/project_policy.hpp"

namespace li {

namespace {

constexpr int kStopped = 102;

bool is_volatile(const std::string& key) { return key.rfind("volatile.", 0) == 0; }

// volatile.* keys are libinstance's: a PUT may echo them back unchanged (lxc config edit does)
// but not change them; those it leaves out are kept.
api::ConfigMap merge_volatile(const api::ConfigMap& current, const api::ConfigMap& requested) {
    api::ConfigMap out;
    for (const auto& [key, value] : requested) {
        if (!is_volatile(key)) {
            out[key] = value;
            continue;
        }
        auto it = current.find(key);
        if (it == current.end() || it->second != value)
            throw Error::invalid("config." + key, fmt::format("configuration key \"{}\" is managed by libinstance and cannot be set", key));
    }
    for (const auto& [key, value] : current)
        if (is_volatile(key)) out[key] = value;
    return out;
}

api::ConfigMap without_volatile(const api::ConfigMap& config) {
    api::ConfigMap out;
    for (const auto& [key, value] : config)
        if (!is_volatile(key)) out[key] = value;
    return out;
}

}  // namespace

api::InstancePut put_of(const InstanceRecord& r) {
    return api::InstancePut{r.architecture, r.config, r.devices, r.profiles, r.ephemeral, r.description};
}

std::string instance_etag(const InstanceRecord& record) {
    Sha256 hash;
    hash.update(api::to_json(put_of(record)));
    return hash.hex_digest();
}

void validate_instance(const InstanceRecord& record, const Expanded& expanded) {
    config::validate_instance_config(without_volatile(record.config), record.type);
    config::validate_devices(record.devices, record.type);
    config::validate_key_combinations(expanded.config);
    root_disk_pool(expanded.devices);
}

void update_instance(ManagerCore& core, InstanceContext& ctx, api::InstancePut put, std::string_view if_match) {
    const InstanceRecord& current = ctx.loaded.record;
    if (!if_match.empty() && if_match != instance_etag(current))
        throw Error(ErrorCode::Conflict,
                    fmt::format("instance \"{}\" was changed by someone else (ETag mismatch); read it again", current.name), "etag");
    if (!put.architecture.empty() && put.architecture != current.architecture)
        throw Error::invalid("architecture", fmt::format("the architecture of instance \"{}\" cannot change from {} to {}",
                                                          current.name, current.architecture, put.architecture));
    InstanceRecord next = current;
    next.config = merge_volatile(current.config, put.config);
    next.devices = std::move(put.devices);
    next.profiles = std::move(put.profiles);
    next.description = std::move(put.description);
    next.ephemeral = put.ephemeral;
    for (size_t i = 0; i < next.profiles.size(); ++i)
        for (size_t j = i + 1; j < next.profiles.size(); ++j)
            if (next.profiles[i] == next.profiles[j])
                throw Error::invalid("profiles", fmt::format("profile \"{}\" is listed twice", next.profiles[i]));

    LoadedInstance loaded = core.db().read([&](SQLite::Database& db) {
        for (const auto& p : next.profiles)
            if (!repo::find_profile(db, next.project, p))
                throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", p, next.project), "profiles");
        LoadedInstance expanded = expand_record(db, next);
        check_custom_volume_devices(db, next.project, expanded.expanded.devices, next.type);
        project_policy::check_instance(db, next);
        return expanded;
    });
    validate_instance(loaded.record, loaded.expanded);
    // After the devices' own checks: a nic naming both a network and a nictype is refused for that.
    core.db().read([&](SQLite::Database& db) { check_network_devices(db, next.project, loaded.expanded.devices); });
    std::string old_pool = ctx.spec.pool;
    if (root_disk_pool(loaded.expanded.devices) != old_pool)
        throw Error::invalid("devices", fmt::format("the root disk of instance \"{}\" cannot move from pool \"{}\" this way",
                                                    current.name, old_pool));

    InstanceSpec after = spec_of(core, loaded);
    // The volume's limit changes first: a pool that cannot take it refuses the whole update.
    StorageDriver& pool = core.pool(old_pool);
    VolumeRef vol{VolumeType::Container, project_prefixed_name(current.project, current.name)};
    bool resized = change_root_disk_size(pool, vol, ctx.loaded.expanded.devices, loaded.expanded.devices);
    auto undo_resize = [&] {
        if (!resized) return;
        try {
            apply_root_disk_size(pool, vol, ctx.loaded.expanded.devices);
        } catch (const std::exception& e) {
            log::warn("undoing a root disk size change failed", {{"instance", current.name}, {"error", e.what()}});
        }
    };
    bool running = ctx.driver.status_code(ctx.spec) != kStopped;
    try {
        if (running) ctx.driver.update(ctx.spec, after);
    } catch (...) {
        undo_resize();
        throw;
    }
    try {
        core.db().transaction([&](SQLite::Database& db) {
            project_policy::check_instance(db, loaded.record);
            repo::update_instance(db, loaded.record);
        });
    } catch (...) {
        undo_resize();
        if (running) {
            try {
                ctx.driver.update(after, ctx.spec);
            } catch (const std::exception& e) {
                log::warn("undoing a live update failed", {{"instance", current.name}, {"error", e.what()}});
            }
        }
        throw;
    }
    log::info("instance updated", {{"instance", current.name}, {"project", current.project}});
    backup::write_instance_backup_file(core, current.project, current.name);
    core.events().lifecycle(current.project, "instance-updated", api_source("instances", current.name, current.project));
}

}  // namespace li
