// InstanceStore: creating, finding and listing instances.
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "config/config_key.hpp"
#include "backup/backup_config.hpp"
#include "config/device_keys.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/failpoint.hpp"
#include "core/intent.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/operations.hpp"
#include "core/parallel_for.hpp"
#include "core/names.hpp"
#include "image/image_files.hpp"
#include "image/metadata.hpp"
#include "image/tarball.hpp"
#include "image/templates.hpp"
#include "instance/instance_copy.hpp"
#include "instance/instance_loader.hpp"
#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"
#include "network/network_nic.hpp"
#include "libinstance/instance.hpp"
#include "remote/image_pull.hpp"
#include "store/image_repo.hpp"
#include "storage/custom_volume.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"
#include "sys/fs.hpp"
#include "project/project_policy.hpp"
#include "project/project_scope.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// How many instances' states a listing reads at once (each mostly waits on the kernel and the
// container's monitor, so a few beat one even on a small host).
const size_t kListStateWorkers = std::min<size_t>(4, std::max(2u, std::thread::hardware_concurrency()));

// An image is unpacked once per pool; instances are made from that volume.
void ensure_image_volume(ManagerCore& core, StorageDriver& pool, const std::string& pool_name, const std::string& fingerprint,
                         OperationContext& ctx) {
    auto lock = core.locks().lock_image_volume(pool_name, fingerprint);
    VolumeRef vol{VolumeType::Image, fingerprint};
    if (pool.volume_exists(vol)) return;
    pool.create_volume(vol, [&](const fs::path& dest) {
        unpack_stored_image(core, fingerprint, dest, ctx, "create_instance_from_image_unpack_progress");
    });
}

void apply_create_templates(const fs::path& volume, const InstanceRecord& record, const Expanded& expanded) {
    apply_instance_templates(volume, "create", instance_template_context(record.name, record.type, record.architecture,
                                                                         record.ephemeral, expanded.config, expanded.devices));
}

// Creates the instance (not started); every step undone if a later one fails or is cancelled.
void create_instance(ManagerCore& core, const std::string& project, const api::InstancesPost& post,
                     const std::string& image_ref, OperationContext& ctx) {
    auto lock = core.locks().lock_instance(project, post.name);
    InstanceRecord record;
    record.project = project;
    record.name = post.name;
    record.type = post.type;
    record.description = post.description;
    record.ephemeral = post.ephemeral;
    record.created_at = now_rfc3339();
    record.devices = post.devices;
    record.profiles = post.profiles.value_or(std::vector<std::string>{"default"});
    record.config = post.config;

    auto [image, profiles] = core.db().read([&](SQLite::Database& db) {
        if (repo::find_instance(db, project, post.name))
            throw Error(ErrorCode::AlreadyExists,
                        fmt::format("instance \"{}\" already exists in project \"{}\"", post.name, project), "name");
        ImageRecord image = repo::resolve_image(db, project, image_ref);
        std::vector<ProfileRecord> profiles;
        for (const auto& p : record.profiles) {
            auto profile = repo::find_profile(db, project, p);
            if (!profile)
                throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", p, project), "profiles");
            profiles.push_back(std::move(*profile));
        }
        project_policy::check_instance(db, record);  // refused at once; checked again when written
        return std::pair{std::move(image), std::move(profiles)};
    });
    if (image.image.type != record.type)
        throw Error::invalid("source", fmt::format("source: image {} is a {} image; a {} instance needs a {} image", image_ref,
                                                   image.image.type, record.type, record.type));
    record.architecture = image.image.architecture;
    for (const auto& [k, v] : image.image.properties) record.config.try_emplace("image." + k, v);
    record.config["volatile.base_image"] = image.image.fingerprint;

    Expanded expanded = expand_instance(profiles, record.config, record.devices);
    config::validate_key_combinations(expanded.config);
    core.db().read([&](SQLite::Database& db) {
        check_custom_volume_devices(db, project, expanded.devices, record.type);
        check_network_devices(db, project, expanded.devices);
    });
    std::string pool_name = root_disk_pool(expanded.devices);
    StorageDriver& pool = core.pool(pool_name);
    core.instance_driver(record.type).check_new(InstanceSpec{project, record.name, record.type, record.architecture, expanded.config,
                                                             resolve_network_nics(core, project, expanded.devices), {}, pool_name,
                                                             record.ephemeral});

    ensure_image_volume(core, pool, pool_name, image.image.fingerprint, ctx);
    ctx.check_cancelled();
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, post.name)};
    Intent intent(core, "instance.create", project, post.name, {{pool_name, VolumeType::Container, vol.name, ""}});
    LI_FAILPOINT("instance.create.journaled");
    pool.copy_volume(VolumeRef{VolumeType::Image, image.image.fingerprint}, vol, ctx);
    LI_FAILPOINT("instance.create.volume_made");
    change_root_disk_size(pool, vol, {}, expanded.devices);  // a new volume has no limit yet
    // A layered volume's rootfs is only whole while mounted; starting mounts it again.
    pool.mount_volume(vol);
    apply_create_templates(pool.volume_path(vol), record, expanded);
    pool.unmount_volume(vol);
    ctx.check_cancelled();

    LI_FAILPOINT("instance.create.templates_applied");
    core.db().transaction([&](SQLite::Database& db) {
        project_policy::check_instance(db, record);
        repo::insert_instance(db, record);
        repo::touch_image(db, image.id, record.created_at);
        intent.commit(db);
    });
    LI_FAILPOINT("instance.create.recorded");
    log::info("instance created", {{"instance", post.name}, {"project", project}});
    backup::write_instance_backup_file(core, project, post.name);
    core.events().lifecycle(project, "instance-created", api_source("instances", post.name, project),
                            {{"type", record.type}, {"storage-pool", pool_name}});
}

}  // namespace

InstanceStore::InstanceStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

Instance InstanceStore::create(std::string_view project, const api::InstancesPost& post) {
    if (auto rest = core_->rest()) return rest::create_instance(rest, project, post, false), Instance(core_, std::string(project), post.name);
    create_impl(project, post, false).get();
    return Instance(core_, project.empty() ? std::string("default") : std::string(project), post.name);
}

Operation InstanceStore::create_async(std::string_view project, const api::InstancesPost& post) {
    if (auto rest = core_->rest()) return rest::create_instance(rest, project, post, true);
    return create_impl(project, post, true);
}

Operation InstanceStore::create_impl(std::string_view project_in, const api::InstancesPost& post, bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::None);
    // What the request alone can tell is refused at once, before any operation exists.
    validate_instance_name(post.name);
    core_->instance_driver(post.type);  // NotSupported / InvalidArgument for types we cannot run
    // `lxc copy` sends its source's config with volatile.base_image kept, as LXD keeps it; a copy
    // takes that key from its source (copy_instance), so it is no caller's setting to refuse.
    api::ConfigMap settable = post.config;
    if (post.source.type == "copy") settable.erase("volatile.base_image");
    config::validate_instance_config(settable, post.type);
    config::validate_devices(post.devices, post.type);
    auto core = core_;
    if (post.source.type == "copy") {
        if (post.source.source.empty()) throw Error::invalid("source.source", "no instance to copy given (source.source)");
        OperationSpec spec{"Copying instance", project, {{"instances", {api_source("instances", post.name, project)}}}, true};
        return core_->operations().run(spec, [core, project, post](OperationContext& ctx) {
            try {
                copy_instance(*core, project, post, ctx);
            } catch (const Error& e) {
                throw e.with_context(fmt::format("copying {} to {}", post.source.source, post.name));
            }
            if (post.start) Instance(core, project, post.name).start();
        }, async, core_);
    }
    if (post.source.type != "image")
        throw Error::invalid("source.type",
                             fmt::format("instance source type \"{}\" is not supported (use \"image\" or \"copy\")", post.source.type));
    std::string image_ref = !post.source.alias.empty() ? post.source.alias : post.source.fingerprint;
    if (image_ref.empty()) throw Error::invalid("source", "no image given (source.alias or source.fingerprint)");

    OperationSpec spec{"Creating instance", project, {{"instances", {api_source("instances", post.name, project)}}}, true};
    return core_->operations().run(spec, [core, project, post, image_ref](OperationContext& ctx) {
        try {
            // An image on a server is pulled (cached) first unless present; then it is local.
            std::string ref = post.source.server.empty() ? image_ref : pull_for_instance(core, project, post.source, ctx);
            create_instance(*core, project, post, ref, ctx);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("creating {}", post.name));
        }
        if (post.start) Instance(core, project, post.name).start();
    }, async, core_);
}

Instance InstanceStore::get(std::string_view project_in, std::string_view name) {
    if (auto rest = core_->rest()) return rest::check_instance(rest, project_in, name), Instance(core_, std::string(project_in), std::string(name));
    std::string project = project_scope(*core_, project_in, ProjectFeature::None);
    load_instance(*core_, project, std::string(name));  // NotFound early, like LXD
    return Instance(core_, project, std::string(name));
}

std::vector<api::Instance> InstanceStore::list(std::string_view project_in, bool with_state) {
    if (auto rest = core_->rest()) return rest::list_instances(rest, project_in, with_state);
    std::string project = project_scope(*core_, project_in, ProjectFeature::None);
    auto loaded = core_->db().read([&](SQLite::Database& db) {
        std::vector<LoadedInstance> out;
        for (auto& r : repo::list_instances(db, project)) out.push_back(expand_record(db, std::move(r)));
        return out;
    });
    std::vector<api::Instance> out(loaded.size());
    if (!with_state) {
        for (size_t i = 0; i < loaded.size(); ++i) {
            InstanceSpec spec = spec_of(*core_, loaded[i]);
            out[i] = to_api(loaded[i], core_->instance_driver(spec.type).status_code(spec));
        }
        return out;
    }
    // A running instance's state waits on its monitor, its network namespace and a walk of its
    // volume; a few at a time keep a listing from adding them all up.
    // Specs and drivers are looked up here, the drivers' state() alone runs on the workers.
    std::vector<InstanceSpec> specs;
    std::vector<InstanceDriver*> drivers;
    for (const auto& l : loaded) {
        specs.push_back(spec_of(*core_, l));
        drivers.push_back(&core_->instance_driver(specs.back().type));
    }
    for_each_concurrently(loaded.size(), kListStateWorkers, [&](size_t i) {
        out[i] = to_api(loaded[i], drivers[i]->state(specs[i]), true);
    });
    return out;
}

}  // namespace li
