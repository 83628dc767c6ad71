#include "instance/instance_loader.hpp"

#include <fmt/format.h>

#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/error.hpp"
#include "network/network_nic.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"

namespace li {

LoadedInstance expand_record(SQLite::Database& db, InstanceRecord record) {
    std::vector<ProfileRecord> profiles;
    for (const auto& p : record.profiles) {
        if (auto profile = repo::find_profile(db, record.project, p)) profiles.push_back(std::move(*profile));
    }
    LoadedInstance loaded;
    loaded.expanded = expand_instance(profiles, record.config, record.devices);
    loaded.record = std::move(record);
    return loaded;
}

LoadedInstance load_instance(ManagerCore& core, const std::string& project, const std::string& name) {
    return core.db().read([&](SQLite::Database& db) {
        auto record = repo::find_instance(db, project, name);
        if (!record)
            throw Error(ErrorCode::NotFound, fmt::format("instance \"{}\" not found in project \"{}\"", name, project), "name");
        return expand_record(db, std::move(*record));
    });
}

InstanceSpec spec_of(ManagerCore& core, const LoadedInstance& loaded) {
    const InstanceRecord& r = loaded.record;
    InstanceSpec spec;
    spec.project = r.project;
    spec.name = r.name;
    spec.type = r.type;
    spec.architecture = r.architecture;
    spec.ephemeral = r.ephemeral;
    spec.config = loaded.expanded.config;
    // nics on managed networks become what their network's driver makes of them.
    spec.devices = resolve_network_nics(core, r.project, loaded.expanded.devices);
    spec.pool = root_disk_pool(loaded.expanded.devices);
    StorageDriver& pool = core.pool(spec.pool);
    spec.volume_dir = pool.volume_path(VolumeRef{VolumeType::Container, project_prefixed_name(r.project, r.name)});
    return spec;
}

bool is_running(ManagerCore& core, const LoadedInstance& loaded) {
    constexpr int kStopped = 102;  // LXD's status code
    InstanceSpec spec = spec_of(core, loaded);
    return core.instance_driver(spec.type).status_code(spec) != kStopped;
}

InstanceContext context_of(ManagerCore& core, const std::string& project, const std::string& name) {
    LoadedInstance loaded = load_instance(core, project, name);
    InstanceSpec spec = spec_of(core, loaded);
    InstanceDriver& driver = core.instance_driver(spec.type);
    return InstanceContext{std::move(loaded), std::move(spec), driver};
}

api::Instance to_api(const LoadedInstance& loaded, const api::InstanceState& state, bool with_state) {
    const InstanceRecord& r = loaded.record;
    api::Instance i;
    i.name = r.name;
    i.description = r.description;
    i.type = r.type;
    i.architecture = r.architecture;
    i.config = r.config;
    i.devices = r.devices;
    i.expanded_config = loaded.expanded.config;
    i.expanded_devices = loaded.expanded.devices;
    i.profiles = r.profiles;
    i.ephemeral = r.ephemeral;
    i.created_at = r.created_at;
    i.last_used_at = r.last_used_at;
    i.project = r.project;
    i.status = state.status;
    i.status_code = state.status_code;
    if (with_state) i.state = state;
    return i;
}

api::Instance to_api(const LoadedInstance& loaded, int status_code) {
    api::InstanceState status;
    status.status_code = status_code;
    status.status = std::string(api::status_name(status_code));
    return to_api(loaded, status, false);
}

}  // namespace li
