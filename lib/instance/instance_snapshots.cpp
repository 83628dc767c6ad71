// Instance snapshots. Each change that touches files is journaled (core/intent.hpp): a snapshot's
// files are made after its journal entry and before its row; a deleted snapshot's row goes first
// and its files after, so a crash leaves files no row points at, which the next open removes —
// never a row without files. A restore is finished by the next open when it was interrupted.
#include "instance/instance_snapshots.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "backup/backup_config.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/failpoint.hpp"
#include "core/intent.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/reverter.hpp"
#include "instance/expand.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/error.hpp"
#include "store/instance_repo.hpp"
#include "store/instance_snapshot_repo.hpp"
#include "store/profile_repo.hpp"
#include "project/project_policy.hpp"

namespace li {

std::string snapshot_source(const std::string& project, const std::string& instance, const std::string& snapshot) {
    return api_source("instances", instance + "/snapshots/" + snapshot, project);
}

namespace {

constexpr int kStopped = 102;

InstanceSnapshotRecord snapshot_or_throw(SQLite::Database& db, const InstanceRecord& instance, const std::string& snapshot) {
    auto found = repo::find_instance_snapshot(db, instance.id, snapshot);
    if (!found)
        throw Error(ErrorCode::NotFound, fmt::format("snapshot \"{}\" of instance \"{}\" not found", snapshot, instance.name),
                    "snapshot");
    return std::move(*found);
}

api::InstanceSnapshot to_api(SQLite::Database& db, const std::string& project, const InstanceSnapshotRecord& s) {
    std::vector<ProfileRecord> profiles;
    for (const auto& name : s.profiles)
        if (auto p = repo::find_profile(db, project, name)) profiles.push_back(std::move(*p));
    Expanded expanded = expand_instance(profiles, s.config, s.devices);
    api::InstanceSnapshot out;
    out.name = s.name;
    out.description = s.description;
    out.architecture = s.architecture;
    out.config = s.config;
    out.devices = s.devices;
    out.expanded_config = std::move(expanded.config);
    out.expanded_devices = std::move(expanded.devices);
    out.profiles = s.profiles;
    out.ephemeral = s.ephemeral;
    out.stateful = s.stateful;
    out.created_at = s.created_at;
    out.expires_at = s.expires_at;
    out.last_used_at = s.last_used_at;
    return out;
}

std::string config_value(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
}

bool is_volatile(const std::string& key) { return key.starts_with("volatile."); }

}  // namespace

VolumeRef instance_volume(const InstanceRecord& record) {
    return VolumeRef{VolumeType::Container, project_prefixed_name(record.project, record.name)};
}

std::string next_snapshot_name(const std::string& pattern, const std::vector<std::string>& existing) {
    auto taken = [&](const std::string& name) { return std::find(existing.begin(), existing.end(), name) != existing.end(); };
    size_t at = pattern.find("%d");
    if (at == std::string::npos) {
        if (!taken(pattern)) return pattern;
        for (long n = 0;; ++n)
            if (std::string name = fmt::format("{}-{}", pattern, n); !taken(name)) return name;
    }
    std::string prefix = pattern.substr(0, at), suffix = pattern.substr(at + 2);
    long next = 0;
    for (const auto& name : existing) {
        if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix)) continue;
        const char* first = name.data() + prefix.size();
        const char* last = name.data() + name.size() - suffix.size();
        long n = 0;
        auto [end, ec] = std::from_chars(first, last, n);
        if (ec == std::errc() && end == last) next = std::max(next, n + 1);
    }
    return prefix + std::to_string(next) + suffix;
}

api::InstanceSnapshot take_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const api::InstanceSnapshotsPost& post,
                                             OperationContext& op) {
    const InstanceRecord& instance = ctx.loaded.record;
    if (post.stateful)
        throw Error(ErrorCode::NotSupported,
                    "stateful snapshots need checkpoint/restore (CRIU), which is not supported yet", "stateful");
    if (!post.name.empty()) validate_snapshot_name(post.name);
    check_rfc3339(post.expires_at, "expires_at");

    InstanceSnapshotRecord record;
    record.instance_id = instance.id;
    record.description = instance.description;
    record.architecture = instance.architecture;
    record.ephemeral = instance.ephemeral;
    record.config = instance.config;
    record.devices = instance.devices;
    record.profiles = instance.profiles;
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    record.created_at = now_rfc3339();
    record.expires_at = !post.expires_at.empty()
                            ? post.expires_at
                            : expiry_after(config_value(ctx.loaded.expanded.config, "snapshots.expiry"), now,
                                           "config.snapshots.expiry");
    core.db().read([&](SQLite::Database& db) {
        std::vector<std::string> names;
        for (const auto& s : repo::list_instance_snapshots(db, instance.id)) names.push_back(s.name);
        std::string pattern = config_value(ctx.loaded.expanded.config, "snapshots.pattern");
        record.name = !post.name.empty() ? post.name : next_snapshot_name(pattern.empty() ? "snap%d" : pattern, names);
        if (post.name.empty()) validate_snapshot_name(record.name, "config.snapshots.pattern");
        if (std::find(names.begin(), names.end(), record.name) != names.end())
            throw Error(ErrorCode::AlreadyExists,
                        fmt::format("snapshot \"{}\" of instance \"{}\" already exists", record.name, instance.name), "name");
        return 0;
    });

    StorageDriver& pool = core.pool(ctx.spec.pool);
    VolumeRef vol = instance_volume(instance);
    core.db().read([&](SQLite::Database& db) { project_policy::check_snapshots_allowed(db, instance.project); });
    Intent intent(core, "instance.snapshot.create", instance.project, instance.name,
                  {{ctx.spec.pool, VolumeType::Container, vol.name, record.name}});
    LI_FAILPOINT("instance.snapshot.create.journaled");
    try {
        pool.create_snapshot(vol, record.name, op);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("snapshotting {}", instance.name));
    }
    LI_FAILPOINT("instance.snapshot.create.files_made");
    core.db().transaction([&](SQLite::Database& db) {
        record.id = repo::insert_instance_snapshot(db, record);
        intent.commit(db);
    });
    LI_FAILPOINT("instance.snapshot.create.recorded");
    log::info("instance snapshot created", {{"instance", instance.name}, {"snapshot", record.name}, {"project", instance.project}});
    backup::write_instance_backup_file(core, instance.project, instance.name);
    core.events().lifecycle(instance.project, "instance-snapshot-created", snapshot_source(instance.project, instance.name, record.name));
    return core.db().read([&](SQLite::Database& db) { return to_api(db, instance.project, record); });
}

std::vector<api::InstanceSnapshot> list_instance_snapshots(ManagerCore& core, const std::string& project, const std::string& name) {
    LoadedInstance loaded = load_instance(core, project, name);
    return core.db().read([&](SQLite::Database& db) {
        std::vector<api::InstanceSnapshot> out;
        for (const auto& s : repo::list_instance_snapshots(db, loaded.record.id)) out.push_back(to_api(db, project, s));
        return out;
    });
}

api::InstanceSnapshot get_instance_snapshot(ManagerCore& core, const std::string& project, const std::string& name,
                                            const std::string& snapshot) {
    LoadedInstance loaded = load_instance(core, project, name);
    return core.db().read([&](SQLite::Database& db) { return to_api(db, project, snapshot_or_throw(db, loaded.record, snapshot)); });
}

void update_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot,
                              const api::InstanceSnapshotPut& put) {
    const InstanceRecord& instance = ctx.loaded.record;
    check_rfc3339(put.expires_at, "expires_at");
    core.db().transaction([&](SQLite::Database& db) {
        InstanceSnapshotRecord record = snapshot_or_throw(db, instance, snapshot);
        record.expires_at = put.expires_at;
        repo::update_instance_snapshot(db, record);
    });
    backup::write_instance_backup_file(core, instance.project, instance.name);
    core.events().lifecycle(instance.project, "instance-snapshot-updated", snapshot_source(instance.project, instance.name, snapshot));
}

void rename_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot, const std::string& new_name) {
    const InstanceRecord& instance = ctx.loaded.record;
    validate_snapshot_name(new_name, "new_name");
    InstanceSnapshotRecord record = core.db().read([&](SQLite::Database& db) {
        InstanceSnapshotRecord found = snapshot_or_throw(db, instance, snapshot);
        if (repo::find_instance_snapshot(db, instance.id, new_name))
            throw Error(ErrorCode::AlreadyExists,
                        fmt::format("snapshot \"{}\" of instance \"{}\" already exists", new_name, instance.name), "new_name");
        return found;
    });
    StorageDriver& pool = core.pool(ctx.spec.pool);
    VolumeRef vol = instance_volume(instance);
    pool.rename_snapshot(vol, snapshot, new_name);
    Reverter revert;
    revert.add([&pool, vol, snapshot, new_name] { pool.rename_snapshot(vol, new_name, snapshot); });
    record.name = new_name;
    core.db().transaction([&](SQLite::Database& db) { repo::update_instance_snapshot(db, record); });
    revert.success();
    backup::write_instance_backup_file(core, instance.project, instance.name);
    core.events().lifecycle(instance.project, "instance-snapshot-renamed", snapshot_source(instance.project, instance.name, new_name),
                            {{"old_name", snapshot}});
}

void delete_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot) {
    const InstanceRecord& instance = ctx.loaded.record;
    InstanceSnapshotRecord record = core.db().read([&](SQLite::Database& db) { return snapshot_or_throw(db, instance, snapshot); });
    VolumeRef vol = instance_volume(instance);
    {
        // The row goes first; the files follow when the entry is done with (or at the next open).
        Intent intent(core, "instance.snapshot.delete", instance.project, instance.name, {});
        LI_FAILPOINT("instance.snapshot.delete.journaled");
        core.db().transaction([&](SQLite::Database& db) {
            repo::delete_instance_snapshot(db, record.id);
            intent.commit(db, {{ctx.spec.pool, VolumeType::Container, vol.name, snapshot}});
        });
        LI_FAILPOINT("instance.snapshot.delete.unrecorded");
    }
    log::info("instance snapshot deleted", {{"instance", instance.name}, {"snapshot", snapshot}, {"project", instance.project}});
    backup::write_instance_backup_file(core, instance.project, instance.name);
    core.events().lifecycle(instance.project, "instance-snapshot-deleted", snapshot_source(instance.project, instance.name, snapshot));
}

void restore_instance_snapshot(ManagerCore& core, InstanceContext& ctx, const std::string& snapshot, OperationContext& op) {
    const InstanceRecord& instance = ctx.loaded.record;
    InstanceRecord restored = instance;
    core.db().read([&](SQLite::Database& db) {
        InstanceSnapshotRecord s = snapshot_or_throw(db, instance, snapshot);
        for (const auto& p : s.profiles)
            if (!repo::find_profile(db, instance.project, p))
                throw Error(ErrorCode::NotFound,
                            fmt::format("snapshot \"{}\" uses profile \"{}\", which no longer exists in project \"{}\"", snapshot, p,
                                        instance.project),
                            "profiles");
        // The files' ownership follows the instance's current idmap: its volatile keys stay.
        restored.config.clear();
        for (const auto& [k, v] : s.config)
            if (!is_volatile(k)) restored.config[k] = v;
        for (const auto& [k, v] : instance.config)
            if (is_volatile(k)) restored.config[k] = v;
        restored.devices = s.devices;
        restored.profiles = s.profiles;
        restored.architecture = s.architecture;
        restored.ephemeral = s.ephemeral;
        return 0;
    });
    LoadedInstance after = core.db().read([&](SQLite::Database& db) { return expand_record(db, restored); });
    if (root_disk_pool(after.expanded.devices) != ctx.spec.pool)
        throw Error::invalid("snapshot", fmt::format("snapshot \"{}\" has its root disk on pool \"{}\", the instance is on \"{}\"; "
                                                     "move the instance back first",
                                                     snapshot, root_disk_pool(after.expanded.devices), ctx.spec.pool));

    bool was_running = ctx.driver.status_code(ctx.spec) != kStopped;
    if (was_running) ctx.driver.stop(ctx.spec, true, std::chrono::seconds(0));
    StorageDriver& pool = core.pool(ctx.spec.pool);
    try {
        // Interrupted, the next open finishes it: the files may already be the snapshot's.
        Intent intent(core, "instance.restore", instance.project, instance.name, {}, snapshot);
        LI_FAILPOINT("instance.restore.journaled");
        pool.restore_snapshot(instance_volume(instance), snapshot, op);
        LI_FAILPOINT("instance.restore.files_restored");
        core.db().transaction([&](SQLite::Database& db) {
            repo::update_instance(db, restored);
            intent.commit(db);
        });
    } catch (const Error& e) {
        if (was_running) {
            try {
                ctx.driver.start(ctx.spec);
            } catch (const Error& again) {
                log::warn("restarting after a failed restore failed", {{"instance", instance.name}, {"error", again.what()}});
            }
        }
        throw e.with_context(fmt::format("restoring {} from snapshot {}", instance.name, snapshot));
    }
    log::info("instance restored", {{"instance", instance.name}, {"snapshot", snapshot}, {"project", instance.project}});
    backup::write_instance_backup_file(core, instance.project, instance.name);
    core.events().lifecycle(instance.project, "instance-restored", api_source("instances", instance.name, instance.project),
                            {{"snapshot", snapshot}});
    if (was_running) {
        InstanceContext fresh = context_of(core, instance.project, instance.name);
        fresh.driver.start(fresh.spec);
    }
}

}  // namespace li
