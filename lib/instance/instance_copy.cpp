// Instance copies (same pool: the driver's clone; another pool: a flattened whole copy) and
// moves of a stopped instance's volume between pools.
#include "instance/instance_copy.hpp"

#include <fmt/format.h>

#include "config/config_key.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "image/templates.hpp"
#include "instance/instance_loader.hpp"
#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_transfer.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"

namespace li {

namespace {

// Keys that belong to one instance, not to its copies: its idmap (a copy gets its own at first
// start), its MAC addresses and host-side names, its power state. volatile.base_image stays:
// it ties the copy to the image its files came from.
bool identifies_original(const std::string& key) {
    if (!key.starts_with("volatile.")) return false;
    return key != "volatile.base_image";
}

// The root disk device's name in an expanded device map ("" when there is none).
std::string root_device_name(const api::DeviceMap& devices) {
    for (const auto& [name, d] : devices) {
        auto type = d.find("type");
        auto path = d.find("path");
        if (type != d.end() && type->second == "disk" && path != d.end() && path->second == "/") return name;
    }
    return {};
}

// Locks two instances in name order, so two copies in opposite directions cannot deadlock.
std::pair<std::unique_lock<std::mutex>, std::unique_lock<std::mutex>> lock_pair(ManagerCore& core, const std::string& project_a,
                                                                                 const std::string& a, const std::string& project_b,
                                                                                 const std::string& b) {
    if (std::tie(project_a, a) < std::tie(project_b, b)) {
        auto first = core.locks().lock_instance(project_a, a);
        return {std::move(first), core.locks().lock_instance(project_b, b)};
    }
    auto first = core.locks().lock_instance(project_b, b);
    return {core.locks().lock_instance(project_a, a), std::move(first)};
}

}  // namespace

void copy_instance(ManagerCore& core, const std::string& project, const api::InstancesPost& post, OperationContext& ctx) {
    std::string source_project = post.source.project.empty() ? project : post.source.project;
    if (source_project == project && post.source.source == post.name)
        throw Error::invalid("name", fmt::format("an instance cannot be copied onto itself (\"{}\")", post.name));
    auto locks = lock_pair(core, source_project, post.source.source, project, post.name);

    LoadedInstance source;
    try {
        source = load_instance(core, source_project, post.source.source);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) throw Error(ErrorCode::NotFound, e.what(), "source.source");
        throw;
    }
    InstanceRecord record;
    record.project = project;
    record.name = post.name;
    record.type = source.record.type;
    record.architecture = source.record.architecture;
    record.description = post.description.empty() ? source.record.description : post.description;
    record.ephemeral = post.ephemeral;
    record.created_at = now_rfc3339();
    for (const auto& [k, v] : source.record.config)
        if (!identifies_original(k)) record.config[k] = v;
    for (const auto& [k, v] : post.config) record.config[k] = v;
    record.devices = source.record.devices;
    for (const auto& [name, d] : post.devices) record.devices[name] = d;
    record.profiles = post.profiles.value_or(source.record.profiles);

    auto profiles = core.db().read([&](SQLite::Database& db) {
        if (repo::find_instance(db, project, post.name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("instance \"{}\" already exists in project \"{}\"", post.name, project), "name");
        std::vector<ProfileRecord> out;
        for (const auto& p : record.profiles) {
            auto profile = repo::find_profile(db, project, p);
            if (!profile) throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", p, project), "profiles");
            out.push_back(std::move(*profile));
        }
        return out;
    });
    Expanded expanded = expand_instance(profiles, record.config, record.devices);
    config::validate_key_combinations(expanded.config);
    std::string from_pool_name = root_disk_pool(source.expanded.devices);
    std::string to_pool_name = root_disk_pool(expanded.devices);
    StorageDriver& from_pool = core.pool(from_pool_name);
    StorageDriver& to_pool = core.pool(to_pool_name);
    VolumeRef from{VolumeType::Container, project_prefixed_name(source_project, source.record.name)};
    VolumeRef to{VolumeType::Container, project_prefixed_name(project, post.name)};

    Reverter revert;
    if (from_pool_name == to_pool_name) {
        from_pool.copy_volume(from, to, ctx);
    } else {
        if (is_running(core, source))
            throw Error(ErrorCode::Busy,
                        fmt::format("instance \"{}\" is running: stop it to copy it to another pool (\"{}\")", source.record.name,
                                    to_pool_name), "source.source");
        copy_volume_across(from_pool, to_pool, from, to, VolumeFiles::Instance, ctx);
    }
    revert.add([&to_pool, to] { to_pool.delete_volume(to); });
    apply_root_disk_size(to_pool, to, expanded.devices);  // the copy's own size, not the source's
    ctx.check_cancelled();
    to_pool.mount_volume(to);
    apply_instance_templates(to_pool.volume_path(to), "copy",
                             instance_template_context(record.name, record.type, record.architecture, record.ephemeral,
                                                       expanded.config, expanded.devices));
    to_pool.unmount_volume(to);
    ctx.check_cancelled();
    core.db().transaction([&](SQLite::Database& db) { repo::insert_instance(db, record); });
    revert.success();
    log::info("instance copied", {{"instance", post.name}, {"project", project}, {"source", source.record.name}});
    core.events().lifecycle(project, "instance-created", api_source("instances", post.name, project),
                            {{"type", record.type}, {"storage-pool", to_pool_name},
                             {"source", api_source("instances", source.record.name, source_project)}});
}

void rename_instance(ManagerCore& core, const std::string& project, const std::string& name, const std::string& new_name) {
    validate_instance_name(new_name);
    if (new_name == name) return;
    auto locks = lock_pair(core, project, name, project, new_name);
    LoadedInstance loaded = load_instance(core, project, name);
    if (is_running(core, loaded))
        throw Error(ErrorCode::Busy, fmt::format("instance \"{}\" is running: stop it to rename it", name), "name");
    core.db().read([&](SQLite::Database& db) {
        if (repo::find_instance(db, project, new_name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("instance \"{}\" already exists in project \"{}\"", new_name, project), "name");
        return 0;
    });
    InstanceSpec spec = spec_of(core, loaded);
    InstanceDriver& driver = core.instance_driver(spec.type);
    StorageDriver& pool = core.pool(spec.pool);
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, name)};
    std::string new_volume = project_prefixed_name(project, new_name);

    Reverter revert;
    pool.rename_volume(vol, new_volume);
    revert.add([&pool, &vol, new_volume] { pool.rename_volume(VolumeRef{VolumeType::Container, new_volume}, vol.name); });
    driver.rename(spec, new_name);
    revert.add([&driver, spec, new_name] {
        InstanceSpec renamed = spec;
        renamed.name = new_name;
        driver.rename(renamed, spec.name);
    });
    core.db().transaction([&](SQLite::Database& db) { repo::rename_instance(db, loaded.record.id, new_name); });
    revert.success();
    log::info("instance renamed", {{"instance", new_name}, {"project", project}, {"old_name", name}});
    core.events().lifecycle(project, "instance-renamed", api_source("instances", new_name, project), {{"old_name", name}});
}

void move_instance_to_pool(ManagerCore& core, const std::string& project, const std::string& name, const std::string& pool,
                           OperationContext& ctx) {
    auto lock = core.locks().lock_instance(project, name);
    LoadedInstance loaded = load_instance(core, project, name);
    std::string from_pool_name = root_disk_pool(loaded.expanded.devices);
    if (pool == from_pool_name)
        throw Error::invalid("pool", fmt::format("instance \"{}\" is already on storage pool \"{}\"", name, pool));
    StorageDriver& to_pool = [&]() -> StorageDriver& {
        try {
            return core.pool(pool);
        } catch (const Error& e) {
            throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", pool), "pool");
        }
    }();
    if (is_running(core, loaded))
        throw Error(ErrorCode::Busy, fmt::format("instance \"{}\" is running: stop it to move it to another pool", name), "name");
    StorageDriver& from_pool = core.pool(from_pool_name);
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, name)};

    // The instance's own root disk names the new pool (a profile's root disk is overridden, as
    // LXD does), so its profiles stay unchanged.
    std::string root = root_device_name(loaded.expanded.devices);
    InstanceRecord next = loaded.record;
    next.devices[root] = loaded.expanded.devices.at(root);
    next.devices[root]["pool"] = pool;

    Reverter revert;
    copy_volume_across(from_pool, to_pool, vol, vol, VolumeFiles::Instance, ctx);
    revert.add([&to_pool, vol] { to_pool.delete_volume(vol); });
    change_root_disk_size(to_pool, vol, {}, loaded.expanded.devices);  // the size moves with it
    ctx.check_cancelled();
    core.db().transaction([&](SQLite::Database& db) { repo::update_instance(db, next); });
    revert.success();
    // The copy is recorded: a failure to remove the old volume only leaves garbage behind.
    try {
        from_pool.delete_volume(vol);
    } catch (const Error& e) {
        log::warn("the old volume of a moved instance could not be removed",
                  {{"instance", name}, {"pool", from_pool_name}, {"error", e.what()}});
    }
    log::info("instance moved", {{"instance", name}, {"project", project}, {"pool", pool}});
    core.events().lifecycle(project, "instance-updated", api_source("instances", name, project), {{"storage-pool", pool}});
}

}  // namespace li
