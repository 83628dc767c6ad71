// StoragePoolStore: creating, listing and removing storage pools.
#include "client/rest_objects.hpp"
#include "libinstance/storage.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backup/pool_marker.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "instance/expand.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "store/instance_repo.hpp"
#include "store/pool_repo.hpp"
#include "store/profile_repo.hpp"
#include "store/volume_repo.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace {

// Pool names become directory and loop file names: keep them to a safe, LXD-compatible subset.
void validate_pool_name(const std::string& name) {
    if (name.empty()) throw Error::invalid("name", "storage pool name is empty");
    if (name.size() > 63) throw Error::invalid("name", fmt::format("storage pool name \"{}\" is longer than 63 characters", name));
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != std::string::npos ||
        name.front() == '.' || name.front() == '-')
        throw Error::invalid("name", fmt::format("invalid storage pool name \"{}\" (letters, digits, '-', '_' and '.', "
                                                 "not starting with '.' or '-')", name));
}

std::string pool_source(const std::string& name) { return "/1.0/storage-pools/" + name; }

// The API URLs of what uses a pool: instances whose root disk is on it, profiles with a device
// on it, then images unpacked on it (which do not prevent its removal).
struct PoolUsers {
    std::vector<std::string> blocking;
    std::vector<std::string> images;
};

PoolUsers users_of(ManagerCore& core, const std::string& name) {
    PoolUsers users;
    std::vector<std::string> fingerprints;
    core.db().read([&](SQLite::Database& db) {
        for (const auto& project : repo::instance_projects(db)) {
            for (auto& record : repo::list_instances(db, project)) {
                LoadedInstance loaded = expand_record(db, std::move(record));
                std::string pool;
                try {
                    pool = root_disk_pool(loaded.expanded.devices);
                } catch (const Error&) {
                    continue;
                }
                if (pool == name) users.blocking.push_back(api_source("instances", loaded.record.name, project));
            }
        }
        for (const auto& [project, profile] : repo::profiles_using_pool(db, name))
            users.blocking.push_back(api_source("profiles", profile, project));
        // Custom volumes hold data of their own: the pool goes only once they are deleted.
        for (const auto& [project, volume] : repo::volumes_on_pool(db, name))
            users.blocking.push_back(fmt::format("/1.0/storage-pools/{}/volumes/custom/{}", name, volume) +
                                     (project == "default" ? "" : "?project=" + project));
        fingerprints = repo::image_fingerprints(db);
        return 0;
    });
    StorageDriver* driver = nullptr;
    try {
        driver = &core.pool(name);
    } catch (const Error&) {
        return users;  // not mounted: no image volume to report
    }
    for (const auto& fp : fingerprints) {
        if (driver->volume_exists(VolumeRef{VolumeType::Image, fp})) users.images.push_back("/1.0/images/" + fp);
    }
    return users;
}

api::StoragePool to_api(ManagerCore& core, const PoolRecord& record) {
    api::StoragePool pool;
    pool.name = record.name;
    pool.driver = record.driver;
    pool.description = record.description;
    pool.config = record.config;
    PoolUsers users = users_of(core, record.name);
    pool.used_by = users.blocking;
    pool.used_by.insert(pool.used_by.end(), users.images.begin(), users.images.end());
    return pool;
}

PoolRecord find_or_throw(SQLite::Database& db, const std::string& name) {
    auto record = repo::find_pool(db, name);
    if (!record) throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", name), "name");
    return std::move(*record);
}

}  // namespace

StoragePoolStore::StoragePoolStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

api::StoragePool StoragePoolStore::create(const api::StoragePoolsPost& post) {
    if (auto rest = core_->rest()) return rest::create_pool(rest, post);
    validate_pool_name(post.name);
    if (post.driver.empty()) throw Error::invalid("driver", "no storage driver given (available: dir, btrfs)");
    PoolRecord record;
    record.name = post.name;
    record.driver = post.driver;
    record.description = post.description;
    StoragePoolParams params = core_->pool_params(post.name, post.config);
    record.config = storage_pool_config(post.driver, params);  // NotSupported / InvalidArgument
    params.config = record.config;

    auto lock = core_->locks().lock_storage_pool(post.name);
    core_->db().read([&](SQLite::Database& db) {
        if (repo::find_pool(db, post.name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("storage pool \"{}\" already exists", post.name), "name");
        return 0;
    });
    auto driver = make_storage_driver(post.driver, params);
    Reverter revert;
    try {
        driver->create_pool();
    } catch (const Error& e) {
        throw e.with_context(fmt::format("creating storage pool {}", post.name));
    }
    revert.add([&driver] { driver->delete_pool(); });
    core_->db().transaction([&](SQLite::Database& db) { record.id = repo::insert_pool(db, record); });
    core_->add_pool(post.name, std::move(driver));
    revert.success();
    log::info("storage pool created", {{"pool", post.name}, {"driver", post.driver}});
    backup::write_pool_marker(*core_, post.name);
    core_->events().lifecycle("default", "storage-pool-created", pool_source(post.name), {{"driver", post.driver}});
    return to_api(*core_, record);
}

std::vector<api::StoragePool> StoragePoolStore::list() {
    if (auto rest = core_->rest()) return rest::list_pools(rest);
    auto records = core_->db().read([](SQLite::Database& db) { return repo::list_pools(db); });
    std::vector<api::StoragePool> out;
    for (const auto& r : records) out.push_back(to_api(*core_, r));
    return out;
}

api::StoragePool StoragePoolStore::get(std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::get_pool(rest, name_in);
    std::string name(name_in);
    auto record = core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, name); });
    return to_api(*core_, record);
}

namespace {
std::string pool_etag(const PoolRecord& record) {
    Sha256 hash;
    hash.update(api::to_json(api::StoragePoolPut{record.description, record.config}));
    return hash.hex_digest();
}
}  // namespace

std::string StoragePoolStore::etag(std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::pool_etag(rest, name_in);
    std::string name(name_in);
    return core_->db().read([&](SQLite::Database& db) { return pool_etag(find_or_throw(db, name)); });
}

api::StoragePool StoragePoolStore::update(std::string_view name_in, const api::StoragePoolPut& put, std::string_view if_match) {
    if (auto rest = core_->rest()) return rest::update_pool(rest, name_in, put, if_match);
    std::string name(name_in);
    auto lock = core_->locks().lock_storage_pool(name);
    PoolRecord current = core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, name); });
    if (!if_match.empty() && if_match != pool_etag(current))
        throw Error(ErrorCode::Conflict, fmt::format("storage pool \"{}\" was changed by someone else (ETag mismatch); read it again", name), "etag");

    // What the driver filled in at creation (where the pool is, how big its loop file is) stays
    // when a PUT leaves it out: an edited document that drops the line means "as it is".
    std::map<std::string, std::string> wanted = put.config;
    for (const char* kept : {"source", "size"}) {
        auto it = current.config.find(kept);
        if (it != current.config.end() && wanted[kept].empty()) wanted[kept] = it->second;
        if (wanted[kept].empty()) wanted.erase(kept);
    }
    PoolRecord next = current;
    next.description = put.description;
    next.config = storage_pool_config(current.driver, core_->pool_params(name, wanted));  // InvalidArgument naming the key

    std::map<std::string, std::string> changed;
    for (const auto& [key, value] : next.config) {
        auto it = current.config.find(key);
        if (it == current.config.end() || it->second != value) changed[key] = value;
    }
    for (const auto& [key, value] : current.config) {
        if (!next.config.count(key)) changed[key] = "";
    }
    if (!changed.empty()) {
        try {
            core_->pool(name).update_pool(changed);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("updating storage pool {}", name));
        }
    }
    core_->db().transaction([&](SQLite::Database& db) {
        repo::update_pool(db, current.id, next.description, next.config);
        return 0;
    });
    log::info("storage pool updated", {{"pool", name}});
    backup::write_pool_marker(*core_, name);
    core_->events().lifecycle("default", "storage-pool-updated", pool_source(name));
    return to_api(*core_, next);
}

api::ResourcesStoragePool StoragePoolStore::resources(std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::pool_resources(rest, name_in);
    std::string name(name_in);
    core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, name); });
    PoolUsage usage = core_->pool(name).pool_usage();
    api::ResourcesStoragePool out;
    out.space = {usage.space_used, usage.space_total};
    out.inodes = {usage.inodes_used, usage.inodes_total};
    return out;
}

void StoragePoolStore::remove(std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::delete_pool(rest, name_in);
    std::string name(name_in);
    auto lock = core_->locks().lock_storage_pool(name);
    core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, name); });
    PoolUsers users = users_of(*core_, name);
    if (!users.blocking.empty())
        throw Error(ErrorCode::Busy, fmt::format("storage pool \"{}\" is in use by {}", name, fmt::join(users.blocking, ", ")), "name");
    if (auto driver = core_->take_pool(name)) {
        Reverter revert;
        StorageDriver* raw = driver.get();
        revert.add([this, &name, &driver] { core_->add_pool(name, std::move(driver)); });
        try {
            // Image volumes are caches of images stored elsewhere: they go with the pool.
            for (const auto& url : users.images) raw->delete_volume(VolumeRef{VolumeType::Image, url.substr(url.rfind('/') + 1)});
            backup::remove_pool_marker(*raw);
            raw->delete_pool();
        } catch (const Error& e) {
            throw e.with_context(fmt::format("deleting storage pool {}", name));
        }
        revert.success();
    }
    core_->db().transaction([&](SQLite::Database& db) { repo::delete_pool(db, name); });
    log::info("storage pool deleted", {{"pool", name}});
    core_->events().lifecycle("default", "storage-pool-deleted", pool_source(name));
}

}  // namespace li
