// ProfileStore: profiles CRUD, and carrying a profile change to the instances using it.
#include "client/rest_objects.hpp"
#include "libinstance/profile.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/config_key.hpp"
#include "config/device_keys.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/reverter.hpp"
#include "instance/instance_loader.hpp"
#include "instance/instance_update.hpp"
#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"
#include "sys/sha256.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

namespace {

constexpr int kStopped = 102;
constexpr std::string_view kDefault = "default";

// LXD's rules for profile names: they appear in API paths, so no '/', and nothing that reads as a
// path element or would be lost in a comma-separated list (inst profile assign).
void validate_profile_name(std::string_view name, const std::string& key) {
    if (name.empty()) throw Error::invalid(key, "profile name is empty");
    if (name.size() > 255) throw Error::invalid(key, fmt::format("profile name \"{}\" is longer than 255 characters", name));
    if (name == "." || name == "..")
        throw Error::invalid(key, fmt::format("invalid profile name \"{}\"", name));
    for (unsigned char c : name)
        if (c == '/' || c == ',' || c <= ' ' || c == 0x7f)
            throw Error::invalid(key, fmt::format("invalid profile name \"{}\" (no '/', ',', spaces or control characters)", name));
}

void validate_profile(const ProfileRecord& p) {
    config::validate_instance_config(p.config, "", /*for_profile=*/true);
    config::validate_devices(p.devices, "", /*for_profile=*/true);
}

ProfileRecord load_profile(SQLite::Database& db, const std::string& project, const std::string& name) {
    auto p = repo::find_profile(db, project, name);
    if (!p) throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", name, project), "name");
    return std::move(*p);
}

std::string profile_etag(const ProfileRecord& p) {
    Sha256 hash;
    hash.update(api::to_json(api::ProfilePut{p.description, p.config, p.devices}));
    return hash.hex_digest();
}

api::Profile to_api(SQLite::Database& db, const ProfileRecord& p) {
    api::Profile out{p.name, p.description, p.config, p.devices, {}};
    for (const auto& [project, inst] : repo::instances_using_profile(db, p.id)) out.used_by.push_back(api_source("instances", inst, project));
    return out;
}

// An instance expanded as it would be with `changed` in place of the stored profile of that name.
LoadedInstance expand_with(SQLite::Database& db, InstanceRecord record, const ProfileRecord& changed) {
    std::vector<ProfileRecord> profiles;
    for (const auto& name : record.profiles) {
        if (name == changed.name) profiles.push_back(changed);
        else if (auto p = repo::find_profile(db, record.project, name)) profiles.push_back(std::move(*p));
    }
    LoadedInstance loaded;
    loaded.expanded = expand_instance(profiles, record.config, record.devices);
    loaded.record = std::move(record);
    return loaded;
}

// What an instance must still satisfy once expanded with the changed profile: valid keys and
// devices for its type, and its root disk where its volume is.
void check_expanded(const LoadedInstance& loaded, const std::string& pool) {
    api::ConfigMap config;
    for (const auto& [key, value] : loaded.expanded.config)
        if (key.rfind("volatile.", 0) != 0) config[key] = value;
    config::validate_instance_config(config, loaded.record.type);
    config::validate_devices(loaded.expanded.devices, loaded.record.type);
    config::validate_key_combinations(config);
    std::string next_pool = root_disk_pool(loaded.expanded.devices);
    if (next_pool != pool)
        throw Error::invalid("devices", fmt::format("its root disk cannot move from pool \"{}\" to \"{}\" this way", pool, next_pool));
}

}  // namespace

ProfileStore::ProfileStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

api::Profile ProfileStore::create(std::string_view project_in, const api::ProfilesPost& post) {
    if (auto rest = core_->rest()) return rest::create_profile(rest, project_in, post);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    validate_profile_name(post.name, "name");
    ProfileRecord record;
    record.project = project;
    record.name = post.name;
    record.description = post.description;
    record.config = post.config;
    record.devices = post.devices;
    validate_profile(record);
    auto lock = core_->locks().lock_profile(project, record.name);
    api::Profile created = core_->db().transaction([&](SQLite::Database& db) {
        if (repo::find_profile(db, project, record.name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("profile \"{}\" already exists in project \"{}\"", record.name, project), "name");
        project_policy::check_profile(db, record);
        record.id = repo::insert_profile(db, record);
        return to_api(db, record);
    });
    log::info("profile created", {{"profile", record.name}, {"project", project}});
    core_->events().lifecycle(project, "profile-created", api_source("profiles", record.name, project));
    return created;
}

api::Profile ProfileStore::get(std::string_view project_in, std::string_view name) {
    if (auto rest = core_->rest()) return rest::get_profile(rest, project_in, name);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    return core_->db().read([&](SQLite::Database& db) { return to_api(db, load_profile(db, project, std::string(name))); });
}

std::vector<api::Profile> ProfileStore::list(std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::list_profiles(rest, project_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    return core_->db().read([&](SQLite::Database& db) {
        std::vector<api::Profile> out;
        for (const auto& p : repo::list_profiles(db, project)) out.push_back(to_api(db, p));
        return out;
    });
}

bool ProfileStore::exists(std::string_view project_in, std::string_view name) {
    if (auto rest = core_->rest()) return rest::profile_exists(rest, project_in, name);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    return core_->db().read([&](SQLite::Database& db) { return repo::find_profile(db, project, std::string(name)).has_value(); });
}

std::string ProfileStore::etag(std::string_view project_in, std::string_view name) {
    if (auto rest = core_->rest()) return rest::profile_etag(rest, project_in, name);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    return core_->db().read([&](SQLite::Database& db) { return profile_etag(load_profile(db, project, std::string(name))); });
}

void ProfileStore::update(std::string_view project_in, std::string_view name_in, const api::ProfilePut& put,
                          std::string_view if_match) {
    if (auto rest = core_->rest()) return rest::update_profile(rest, project_in, name_in, put, if_match);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    std::string name(name_in);
    auto profile_lock = core_->locks().lock_profile(project, name);

    auto [current, users] = core_->db().read([&](SQLite::Database& db) {
        ProfileRecord p = load_profile(db, project, name);
        return std::make_pair(p, repo::instances_using_profile(db, p.id));
    });
    if (!if_match.empty() && if_match != profile_etag(current))
        throw Error(ErrorCode::Conflict, fmt::format("profile \"{}\" was changed by someone else (ETag mismatch); read it again", name), "etag");
    ProfileRecord next = current;
    next.description = put.description;
    next.config = put.config;
    next.devices = put.devices;
    validate_profile(next);

    // Every instance using the profile is held still (its lock, in name order: the profile lock is
    // always taken first, so this cannot deadlock) from validation until the live apply, so the
    // "before" each one is checked and applied against is what it really runs with.
    std::vector<std::unique_lock<std::mutex>> instance_locks;
    for (const auto& [inst_project, inst] : users) instance_locks.push_back(core_->locks().lock_instance(inst_project, inst));

    struct Change {
        InstanceContext ctx;
        LoadedInstance after;
    };
    std::vector<Change> changes;
    for (const auto& [inst_project, inst] : users) {
        InstanceContext ctx = context_of(*core_, inst_project, inst);
        LoadedInstance after = core_->db().read([&](SQLite::Database& db) { return expand_with(db, ctx.loaded.record, next); });
        try {
            check_expanded(after, ctx.spec.pool);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("profile \"{}\" cannot change this way: instance \"{}\" uses it", name, inst));
        }
        changes.push_back(Change{std::move(ctx), std::move(after)});
    }

    // Root disk sizes the change alters are applied before it is saved: a volume that cannot take
    // its new size (a dir pool, or one already larger) refuses the whole change, undoing the others.
    Reverter resized;
    for (auto& change : changes) {
        const InstanceRecord& r = change.ctx.loaded.record;
        StorageDriver& pool = core_->pool(change.ctx.spec.pool);
        VolumeRef vol{VolumeType::Container, project_prefixed_name(r.project, r.name)};
        const api::DeviceMap& before = change.ctx.loaded.expanded.devices;
        try {
            if (change_root_disk_size(pool, vol, before, change.after.expanded.devices))
                resized.add([&pool, vol, before] { apply_root_disk_size(pool, vol, before); });
        } catch (const Error& e) {
            throw e.with_context(fmt::format("profile \"{}\" cannot change this way: instance \"{}\" uses it", name, r.name));
        }
    }

    core_->db().transaction([&](SQLite::Database& db) {
        project_policy::check_profile(db, next);
        repo::update_profile(db, next);
        return 0;
    });
    resized.success();
    log::info("profile updated", {{"profile", name}, {"project", project}});
    core_->events().lifecycle(project, "profile-updated", api_source("profiles", name, project));

    // As LXD: the change is saved whatever happens next; a running instance that cannot take it
    // live is reported (and gets it at its next start).
    std::vector<std::string> failures;
    std::optional<ErrorCode> first_code;
    auto failed = [&](const std::string& inst, ErrorCode code, const char* what) {
        if (!first_code) first_code = code;
        failures.push_back(fmt::format("instance \"{}\": {}", inst, what));
        // Info, not warn: the caller gets the same as an error naming the instance.
        log::info("applying a profile change to a running instance failed",
                  {{"profile", name}, {"instance", inst}, {"project", project}, {"error", what}});
    };
    for (auto& change : changes) {
        const std::string& inst = change.ctx.spec.name;
        try {
            if (change.ctx.driver.status_code(change.ctx.spec) == kStopped) continue;
            InstanceSpec after = spec_of(*core_, change.after);
            change.ctx.driver.update(change.ctx.spec, after);
        } catch (const Error& e) {
            failed(inst, e.code(), e.what());
        } catch (const std::exception& e) {
            failed(inst, ErrorCode::Internal, e.what());
        }
    }
    if (!failures.empty())
        throw Error(*first_code,
                    fmt::format("profile \"{}\" was changed, but these running instances could not apply the change live "
                                "(they will at their next start): {}",
                                name, fmt::join(failures, "; ")),
                    "name");
}

void ProfileStore::rename(std::string_view project_in, std::string_view name_in, std::string_view new_name_in) {
    if (auto rest = core_->rest()) return rest::rename_profile(rest, project_in, name_in, new_name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    std::string name(name_in), new_name(new_name_in);
    if (name == kDefault) throw Error::invalid("name", "the \"default\" profile cannot be renamed");
    validate_profile_name(new_name, "new_name");
    auto lock = core_->locks().lock_profile(project, name);
    core_->db().transaction([&](SQLite::Database& db) {
        ProfileRecord p = load_profile(db, project, name);
        if (repo::find_profile(db, project, new_name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("profile \"{}\" already exists in project \"{}\"", new_name, project), "new_name");
        repo::rename_profile(db, p.id, new_name);
        return 0;
    });
    log::info("profile renamed", {{"profile", new_name}, {"old_name", name}, {"project", project}});
    core_->events().lifecycle(project, "profile-renamed", api_source("profiles", new_name, project), {{"old_name", name}});
}

void ProfileStore::remove(std::string_view project_in, std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::delete_profile(rest, project_in, name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Profiles);
    std::string name(name_in);
    if (name == kDefault) throw Error::invalid("name", "the \"default\" profile cannot be deleted");
    auto lock = core_->locks().lock_profile(project, name);
    core_->db().transaction([&](SQLite::Database& db) {
        ProfileRecord p = load_profile(db, project, name);
        std::vector<std::string> users;
        for (const auto& [inst_project, inst] : repo::instances_using_profile(db, p.id))
            users.push_back(inst_project == project ? inst : inst_project + "/" + inst);
        if (!users.empty())
            throw Error(ErrorCode::Conflict,
                        fmt::format("profile \"{}\" is in use by instances {}", name, fmt::join(users, ", ")), "name");
        repo::delete_profile(db, p.id);
        return 0;
    });
    log::info("profile deleted", {{"profile", name}, {"project", project}});
    core_->events().lifecycle(project, "profile-deleted", api_source("profiles", name, project));
}

}  // namespace li
