// StorageVolumeStore: custom volumes (create, update, rename, delete) and the listing of every
// volume of a pool, with the helpers the disk device and the pool store share.
#include "client/rest_objects.hpp"
#include "libinstance/storage_volume.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backup/backup_config.hpp"
#include "config/validators.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operation_state.hpp"
#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "instance/expand.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "storage/custom_volume.hpp"
#include "storage/size.hpp"
#include "storage/volume_layout.hpp"
#include "storage/volume_store_support.hpp"
#include "sys/unique_fd.hpp"
#include "store/image_repo.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"
#include "store/volume_repo.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

// --- helpers shared with the disk device and the pool store -------------------------------

VolumeRef custom_volume_ref(const std::string& project, const std::string& name) {
    return VolumeRef{VolumeType::Custom, project_prefixed_name(project, name)};
}

std::optional<VolumeRecord> find_custom_volume(SQLite::Database& db, const std::string& pool, const std::string& project,
                                               const std::string& name) {
    auto record = repo::find_pool(db, pool);
    if (!record) return std::nullopt;
    return repo::find_volume(db, record->id, project, "custom", name);
}

bool device_uses_volume(const api::ConfigMap& device, const std::string& pool, const std::string& volume) {
    auto get = [&](const char* key) {
        auto it = device.find(key);
        return it == device.end() ? std::string() : it->second;
    };
    return get("type") == "disk" && get("pool") == pool && get("source") == volume;
}

std::vector<std::string> custom_volume_users(SQLite::Database& db, const std::string& pool, const std::string& project,
                                             const std::string& volume) {
    std::vector<std::string> users;
    for (auto& record : repo::list_instances(db, project)) {
        LoadedInstance loaded = expand_record(db, std::move(record));
        for (const auto& [name, device] : loaded.expanded.devices) {
            if (device_uses_volume(device, pool, volume)) {
                users.push_back(api_source("instances", loaded.record.name, project));
                break;
            }
        }
    }
    for (const auto& profile : repo::list_profiles(db, project)) {
        for (const auto& [name, device] : profile.devices) {
            if (device_uses_volume(device, pool, volume)) {
                users.push_back(api_source("profiles", profile.name, project));
                break;
            }
        }
    }
    return users;
}

VolumeRecord attached_custom_volume(SQLite::Database& db, const std::string& project, const std::string& device_name,
                                    const std::string& pool, const std::string& volume) {
    auto record = find_custom_volume(db, pool, project, volume);
    if (!record)
        throw Error::invalid("devices." + device_name + ".source",
                             fmt::format("device \"{}\": storage volume \"{}\" not found on pool \"{}\" in project \"{}\"",
                                         device_name, volume, pool, project));
    return std::move(*record);
}

void check_custom_volume_devices(SQLite::Database& db, const std::string& project, const api::DeviceMap& devices,
                                 const std::string& instance_type) {
    for (const auto& [name, device] : devices) {
        auto get = [&](const char* key) {
            auto it = device.find(key);
            return it == device.end() ? std::string() : it->second;
        };
        if (get("type") != "disk" || get("pool").empty() || get("path") == "/" || get("source").empty()) continue;
        VolumeRecord volume = attached_custom_volume(db, project, name, get("pool"), get("source"));
        if (volume.content_type != "block" && get("path").empty())
            throw Error::invalid("devices." + name + ".path", fmt::format("disk device \"{}\" needs a path", name));
        // A block volume is a disk image: only a VM's driver can attach it (as a virtio disk).
        if (volume.content_type == "block" && instance_type != "virtual-machine")
            throw Error::invalid("devices." + name + ".source",
                                 fmt::format("device \"{}\": storage volume \"{}\" is a block volume; a block volume can only be "
                                             "attached to a virtual machine", name, get("source")));
    }
}

bool config_true(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it != config.end() && config::is_true(it->second);
}

namespace {

constexpr const char* kCustom = "custom";

bool is_bool_word(const std::string& v) {
    for (const char* w : {"true", "false", "1", "0", "yes", "no", "on", "off"})
        if (v == w) return true;
    return false;
}

}  // namespace

namespace volume_store {

void validate_name(const std::string& name, const std::string& key) {
    if (name.empty()) throw Error::invalid(key, "storage volume name is empty");
    if (name.size() > 200) throw Error::invalid(key, fmt::format("storage volume name \"{}\" is too long", name));
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != std::string::npos ||
        name.front() == '.' || name.front() == '-')
        throw Error::invalid(key, fmt::format("invalid storage volume name \"{}\" (letters, digits, '-', '_' and '.', "
                                              "not starting with '.' or '-')", name));
}

uint64_t validate_config(const api::ConfigMap& config) {
    uint64_t size = 0;
    for (const auto& [key, value] : config) {
        std::string where = "config." + key;
        if (key == "size") {
            if (!value.empty()) size = parse_size(value, where);
        } else if (key == "security.shifted" || key == "security.unmapped") {
            if (!is_bool_word(value))
                throw Error::invalid(where, fmt::format("invalid value \"{}\" for {}: expected true or false", value, key));
        } else if (key.rfind("user.", 0) == 0 && key.size() > 5) {
            // free-form, as in LXD
        } else {
            throw Error::invalid(where, fmt::format("unknown storage volume config key \"{}\" (value \"{}\")", key, value));
        }
    }
    if (config_true(config, "security.shifted") && config_true(config, "security.unmapped"))
        throw Error::invalid("config.security.unmapped", "security.shifted and security.unmapped exclude each other");
    return size;
}

std::string volume_source(const std::string& pool, const std::string& name, const std::string& project) {
    std::string url = fmt::format("/1.0/storage-pools/{}/volumes/custom/{}", pool, name);
    if (project != "default") url += "?project=" + project;
    return url;
}

PoolRecord pool_or_throw(SQLite::Database& db, const std::string& pool, const std::string& key) {
    auto record = repo::find_pool(db, pool);
    if (!record) throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", pool), key);
    return std::move(*record);
}

VolumeRecord volume_or_throw(SQLite::Database& db, const PoolRecord& pool, const std::string& project, const std::string& name,
                             const std::string& key) {
    auto v = repo::find_volume(db, pool.id, project, kCustom, name);
    if (!v)
        throw Error(ErrorCode::NotFound,
                    fmt::format("storage volume \"{}\" not found on pool \"{}\" in project \"{}\"", name, pool.name, project), key);
    return std::move(*v);
}

void check_volume_free(SQLite::Database& db, const PoolRecord& pool, const std::string& project, const std::string& name,
                       const std::string& key) {
    if (repo::find_volume(db, pool.id, project, kCustom, name))
        throw Error(ErrorCode::AlreadyExists,
                    fmt::format("storage volume \"{}\" already exists on pool \"{}\" in project \"{}\"", name, pool.name, project),
                    key);
}

void check_unused(SQLite::Database& db, const std::string& pool, const std::string& project, const std::string& name) {
    auto users = custom_volume_users(db, pool, project, name);
    if (!users.empty())
        throw Error(ErrorCode::Busy, fmt::format("storage volume \"{}\" is in use by {}", name, fmt::join(users, ", ")), "name");
}

api::StorageVolume to_api(SQLite::Database& db, const std::string& pool, const VolumeRecord& v) {
    api::StorageVolume out;
    out.name = v.name;
    out.type = v.type;
    out.content_type = v.content_type;
    out.description = v.description;
    out.config = v.config;
    out.project = v.project;
    out.created_at = v.created_at;
    out.used_by = custom_volume_users(db, pool, v.project, v.name);
    return out;
}

void check_no_stray_files(StorageDriver& driver, const VolumeRef& ref, const std::string& pool) {
    if (driver.volume_exists(ref))
        throw Error(ErrorCode::AlreadyExists,
                    fmt::format("storage volume \"{}\" already exists on disk in pool \"{}\"", ref.name, pool), "name");
}

void apply_size(StorageDriver& driver, const VolumeRef& ref, uint64_t bytes) {
    try {
        driver.set_volume_size(ref, bytes);
    } catch (const Error& e) {
        std::string key = e.key().empty() || e.key() == "size" ? "config.size" : e.key();
        throw Error(e.code(), fmt::format("storage volume size: {}", e.what()), key, e.sys_errno());
    }
}

}  // namespace volume_store

namespace {

using namespace volume_store;

// Instance volumes of the pool in the project, and image volumes unpacked on it. As LXD lists
// them, a VM's (and a VM image's) is of content type block: its disk is root.img; a VM's volume
// is of type "virtual-machine", a container's of type "container".
void add_instance_and_image_volumes(ManagerCore& core, const std::string& pool, const std::string& project,
                                    std::vector<api::StorageVolume>& out) {
    std::vector<api::StorageVolume> containers;
    std::vector<std::pair<std::string, bool>> fingerprints;  // and whether the image is a VM's
    core.db().read([&](SQLite::Database& db) {
        for (auto& record : repo::list_instances(db, project)) {
            LoadedInstance loaded = expand_record(db, std::move(record));
            std::string root_pool;
            try {
                root_pool = root_disk_pool(loaded.expanded.devices);
            } catch (const Error&) {
                continue;
            }
            if (root_pool != pool) continue;
            api::StorageVolume v;
            v.name = loaded.record.name;
            bool vm = loaded.record.type == "virtual-machine";
            v.type = vm ? "virtual-machine" : "container";
            v.content_type = vm ? "block" : "filesystem";
            v.project = project;
            v.created_at = loaded.record.created_at;
            v.used_by = {api_source("instances", loaded.record.name, project)};
            containers.push_back(std::move(v));
        }
        for (const auto& image : repo::list_images(db, project))
            fingerprints.emplace_back(image.image.fingerprint, image.image.type == "virtual-machine");
        return 0;
    });
    out.insert(out.end(), containers.begin(), containers.end());
    StorageDriver* driver = nullptr;
    try {
        driver = &core.pool(pool);
    } catch (const Error&) {
        return;
    }
    for (const auto& [fp, vm] : fingerprints) {
        if (!driver->volume_exists(VolumeRef{VolumeType::Image, fp})) continue;
        api::StorageVolume v;
        v.name = fp;
        v.type = "image";
        v.content_type = vm ? "block" : "filesystem";
        v.project = project;
        out.push_back(std::move(v));
    }
}

}  // namespace

StorageVolumeStore::StorageVolumeStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

namespace {

// What a volume creation request alone shows wrong, thrown before any operation exists.
void check_create_request(const api::StorageVolumesPost& post) {
    validate_name(post.name, "name");
    if (post.type != kCustom)
        throw Error::invalid("type", fmt::format("only custom storage volumes can be created (not \"{}\")", post.type));
    if (post.content_type != "filesystem" && post.content_type != "block")
        throw Error::invalid("content_type",
                             fmt::format("content type \"{}\" is not supported (filesystem or block)", post.content_type));
}

// LXD's size of a block volume without one (volume.size unset).
constexpr uint64_t kDefaultBlockSize = 10ull << 30;

// A block volume's disk: root.img in its folder, a sparse raw file of `bytes` (LXD's block
// volume; the qemu driver attaches it as a virtio disk). Grows only: a shrink would cut data.
void size_block_disk(const std::filesystem::path& dir, uint64_t bytes, const std::string& key) {
    std::filesystem::path disk = dir / "root.img";
    UniqueFd fd(::open(disk.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw Error::from_errno(fmt::format("opening {}", disk.string()), errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw Error::from_errno(fmt::format("stat {}", disk.string()), errno);
    if (bytes < static_cast<uint64_t>(st.st_size))
        throw Error::invalid(key, fmt::format("a block volume cannot shrink (from {} to {} bytes)", st.st_size, bytes));
    if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
        throw Error::from_errno(fmt::format("sizing {} to {} bytes", disk.string(), bytes), errno);
}

}  // namespace

Operation StorageVolumeStore::create_async(std::string_view pool_in, const api::StorageVolumesPost& post,
                                           std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::create_volume(rest, project_in, pool_in, post, true);
    std::string pool(pool_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    check_create_request(post);
    if (post.source.type == "copy") return create_copy_impl(pool, post, project, true);
    // An empty volume is quick: the operation only gives callers one way to ask for any volume.
    auto core = core_;
    OperationSpec spec{"Creating storage volume", project, {{"storage_volumes", {volume_source(pool, post.name, project)}}}, false};
    return core_->operations().run(spec, [core, pool, post, project](OperationContext& ctx) {
        StorageVolumeStore(core).create(pool, post, project);
        ctx.set_metadata("name", post.name);
    }, true, core_);
}

Operation StorageVolumeStore::create_copy_impl(const std::string& pool, const api::StorageVolumesPost& post,
                                               const std::string& project, bool async) {
    auto core = core_;
    OperationSpec spec{"Copying storage volume", project, {{"storage_volumes", {volume_source(pool, post.name, project)}}}, true};
    return core_->operations().run(spec, [core, pool, post, project](OperationContext& ctx) {
        copy_custom_volume(*core, pool, post, project, ctx);
        ctx.set_metadata("name", post.name);
    }, async, core_);
}

api::StorageVolume StorageVolumeStore::create(std::string_view pool_in, const api::StorageVolumesPost& post,
                                              std::string_view project_in) {
    if (auto rest = core_->rest()) {
        rest::create_volume(rest, project_in, pool_in, post, false);
        return rest::get_volume(rest, project_in, pool_in, "custom", post.name);
    }
    std::string pool(pool_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    check_create_request(post);
    if (post.source.type == "copy") {
        create_copy_impl(pool, post, project, false).get();
        return get(pool, kCustom, post.name, project);
    }
    if (!post.source.type.empty())
        throw Error(post.source.type == "migration" ? ErrorCode::NotSupported : ErrorCode::InvalidArgument,
                    fmt::format("storage volume source type \"{}\" is not supported (\"copy\", or none for an empty volume)",
                                post.source.type),
                    "source.type");
    uint64_t size = validate_config(post.config);

    auto lock = core_->locks().lock_storage_pool(pool);
    VolumeRecord record;
    record.project = project;
    record.name = post.name;
    record.description = post.description;
    record.config = post.config;
    record.content_type = post.content_type;
    record.created_at = now_rfc3339();
    const bool block = post.content_type == "block";
    core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        record.pool_id = p.id;
        check_volume_free(db, p, project, post.name, "name");
        return 0;
    });
    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, post.name);
    check_no_stray_files(driver, ref, pool);

    Reverter revert;
    try {
        // An empty root owned by host root with LXD's mode: containers reach it through an
        // idmapped mount (security.shifted) or after the first unshifted attach hands it over.
        driver.create_volume(ref, [block, size](const std::filesystem::path& dir) {
            make_dir_with_mode(dir, 0711);
            if (::chown(dir.c_str(), 0, 0) != 0) throw Error::from_errno("chown " + dir.string(), errno);
            if (block) size_block_disk(dir, size > 0 ? size : kDefaultBlockSize, "config.size");
        });
    } catch (const Error& e) {
        throw e.with_context(fmt::format("creating storage volume {}", post.name));
    }
    revert.add([&driver, ref] { driver.delete_volume(ref); });
    // A block volume's size is its disk file's; a filesystem volume's a quota of the pool.
    if (size > 0 && !block) apply_size(driver, ref, size);
    core_->db().transaction([&](SQLite::Database& db) {
        project_policy::check_custom_volume(db, record.project, record.name, record.config);
        record.id = repo::insert_volume(db, record);
    });
    revert.success();
    log::info("storage volume created", {{"pool", pool}, {"volume", post.name}, {"project", project}});
    backup::write_custom_volume_backup_file(*core_, project, pool, post.name);
    core_->events().lifecycle(project, "storage-volume-created", volume_source(pool, post.name, project), {{"type", kCustom}});
    return core_->db().read([&](SQLite::Database& db) { return to_api(db, pool, record); });
}

std::vector<api::StorageVolume> StorageVolumeStore::list(std::string_view pool_in, std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::list_volumes(rest, project_in, pool_in);
    // Each type of volume is looked up in its own project (see repo::list_volumes).
    std::string pool(pool_in), project = project_scope(*core_, project_in, ProjectFeature::None);
    std::vector<api::StorageVolume> out;
    core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        for (const auto& v : repo::list_volumes(db, p.id, project)) out.push_back(to_api(db, pool, v));
        return 0;
    });
    add_instance_and_image_volumes(*core_, pool, project, out);
    return out;
}

api::StorageVolume StorageVolumeStore::get(std::string_view pool_in, std::string_view type_in, std::string_view name_in,
                                           std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::get_volume(rest, project_in, pool_in, type_in, name_in);
    std::string pool(pool_in), type(type_in), name(name_in);
    std::string project = project_scope(*core_, project_in, type == "custom" ? ProjectFeature::StorageVolumes : ProjectFeature::None);
    if (type != kCustom && type != "container" && type != "virtual-machine" && type != "image")
        throw Error::invalid("type", fmt::format("unknown storage volume type \"{}\" (custom, container, virtual-machine or image)", type));
    if (type == kCustom) {
        return core_->db().read([&](SQLite::Database& db) {
            PoolRecord p = pool_or_throw(db, pool);
            return to_api(db, pool, volume_or_throw(db, p, project, name));
        });
    }
    for (auto& v : list(pool, project))
        if (v.type == type && v.name == name) return std::move(v);
    throw Error(ErrorCode::NotFound,
                fmt::format("{} storage volume \"{}\" not found on pool \"{}\" in project \"{}\"", type, name, pool, project), "name");
}

void StorageVolumeStore::update(std::string_view pool_in, std::string_view name_in, const api::StorageVolumePut& put,
                                std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::update_volume(rest, project_in, pool_in, name_in, put);
    std::string pool(pool_in), name(name_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    // LXD's PUT with "restore" restores a snapshot and changes nothing else.
    if (!put.restore.empty()) return restore_snapshot(pool, name, put.restore, project);
    uint64_t size = validate_config(put.config);
    auto lock = core_->locks().lock_storage_pool(pool);
    VolumeRecord record = core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        return volume_or_throw(db, p, project, name);
    });
    auto old_size = record.config.find("size");
    std::string old_size_text = old_size == record.config.end() ? std::string() : old_size->second;
    auto new_size = put.config.find("size");
    std::string new_size_text = new_size == put.config.end() ? std::string() : new_size->second;

    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, name);
    Reverter revert;
    if (new_size_text != old_size_text && record.content_type == "block") {
        std::filesystem::path dir = driver.mount_volume(ref);
        Reverter unmount;
        unmount.add([&driver, ref] { driver.unmount_volume(ref); });
        size_block_disk(dir, size > 0 ? size : kDefaultBlockSize, "config.size");
    } else if (new_size_text != old_size_text) {
        uint64_t old_bytes = old_size_text.empty() ? 0 : parse_size(old_size_text, "config.size");
        apply_size(driver, ref, size);
        revert.add([&driver, ref, old_bytes] { driver.set_volume_size(ref, old_bytes); });
    }
    record.description = put.description;
    record.config = put.config;
    core_->db().transaction([&](SQLite::Database& db) {
        project_policy::check_custom_volume(db, record.project, record.name, record.config);
        repo::update_volume(db, record);
    });
    revert.success();
    log::info("storage volume updated", {{"pool", pool}, {"volume", name}, {"project", project}});
    backup::write_custom_volume_backup_file(*core_, project, pool, name);
    core_->events().lifecycle(project, "storage-volume-updated", volume_source(pool, name, project));
}

void StorageVolumeStore::rename(std::string_view pool_in, std::string_view name_in, std::string_view new_name_in,
                                std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::move_volume(rest, project_in, pool_in, name_in, {std::string(new_name_in), ""}).get();
    std::string pool(pool_in), name(name_in), new_name(new_name_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    validate_name(new_name, "new_name");
    auto lock = core_->locks().lock_storage_pool(pool);
    VolumeRecord record = core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        VolumeRecord v = volume_or_throw(db, p, project, name);
        check_volume_free(db, p, project, new_name, "new_name");
        check_unused(db, pool, project, name);
        return v;
    });
    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, name);
    VolumeRef new_ref = custom_volume_ref(project, new_name);
    driver.rename_volume(ref, new_ref.name);
    Reverter revert;
    revert.add([&driver, new_ref, ref] { driver.rename_volume(new_ref, ref.name); });
    core_->db().transaction([&](SQLite::Database& db) { repo::rename_volume(db, record.id, new_name); });
    revert.success();
    log::info("storage volume renamed", {{"pool", pool}, {"volume", new_name}, {"old_name", name}, {"project", project}});
    backup::write_custom_volume_backup_file(*core_, project, pool, new_name);
    backup::remove_custom_volume_backup_file(*core_, project, pool, name);
    core_->events().lifecycle(project, "storage-volume-renamed", volume_source(pool, new_name, project), {{"old_name", name}});
}

void StorageVolumeStore::remove(std::string_view pool_in, std::string_view name_in, std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::delete_volume(rest, project_in, pool_in, name_in);
    std::string pool(pool_in), name(name_in), project = project_scope(*core_, project_in, ProjectFeature::StorageVolumes);
    auto lock = core_->locks().lock_storage_pool(pool);
    VolumeRecord record = core_->db().read([&](SQLite::Database& db) {
        PoolRecord p = pool_or_throw(db, pool);
        VolumeRecord v = volume_or_throw(db, p, project, name);
        check_unused(db, pool, project, name);
        return v;
    });
    StorageDriver& driver = core_->pool(pool);
    VolumeRef ref = custom_volume_ref(project, name);
    // The files go first: a record without files can be deleted again, files without a record
    // would be unreachable.
    if (driver.volume_exists(ref)) {
        try {
            driver.delete_volume(ref);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("deleting storage volume {}", name));
        }
    }
    core_->db().transaction([&](SQLite::Database& db) { repo::delete_volume(db, record.id); });
    log::info("storage volume deleted", {{"pool", pool}, {"volume", name}, {"project", project}});
    backup::remove_custom_volume_backup_file(*core_, project, pool, name);
    core_->events().lifecycle(project, "storage-volume-deleted", volume_source(pool, name, project));
}

}  // namespace li
