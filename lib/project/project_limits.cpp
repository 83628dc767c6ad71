// Enforcing a project's limits.* on every change that could raise its use.
#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "project/project_policy.hpp"
#include "project/project_restrictions.hpp"
#include "project/project_usage.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"

namespace li::project_policy {

namespace {

ProjectRecord load_project(SQLite::Database& db, const std::string& name) {
    auto p = repo::find_project(db, name.empty() ? "default" : name);
    if (!p) throw Error(ErrorCode::NotFound, fmt::format("project \"{}\" not found", name), "project");
    return std::move(*p);
}

bool has_limits(const ProjectRecord& p) {
    for (const auto& [key, value] : p.config)
        if (key.starts_with("limits.") && !value.empty()) return true;
    return false;
}

int64_t count_type(const std::vector<project_usage::ExpandedInstance>& instances, std::string_view type) {
    int64_t n = 0;
    for (const auto& i : instances)
        if (type.empty() || i.type == type) ++n;
    return n;
}

// Refuses when `after` exceeds the limit `key`; `before` is the use without the change (a change
// that does not raise the use is let through, so an over-full project can still shrink).
void check_limit(const ProjectRecord& p, const std::string& key, int64_t before, int64_t after) {
    auto limit = project_usage::limit_value(p, key);
    if (!limit || after <= *limit || after <= before) return;
    throw Error::invalid(key, fmt::format("project \"{}\": {} is {} and {} is in use; this change would make it {}", p.name, key,
                                          project_usage::show(key, *limit), project_usage::show(key, before),
                                          project_usage::show(key, after)));
}

const char* amount_name(const std::string& key) {
    if (key == "limits.cpu") return "CPUs";
    if (key == "limits.memory") return "of memory";
    if (key == "limits.processes") return "processes";
    return "of disk";
}

// The project's use before and after a change, for every limit it sets.
void check_limits(SQLite::Database& db, const ProjectRecord& p, const InstanceRecord* candidate, const ProfileRecord* changed_profile,
                  const project_usage::SizedVolume* volume) {
    if (!has_limits(p)) return;
    auto before = project_usage::instances(db, p.name, nullptr, nullptr);
    auto after = project_usage::instances(db, p.name, candidate, changed_profile);
    check_limit(p, "limits.instances", count_type(before, ""), count_type(after, ""));
    check_limit(p, "limits.containers", count_type(before, "container"), count_type(after, "container"));
    check_limit(p, "limits.virtual-machines", count_type(before, "virtual-machine"), count_type(after, "virtual-machine"));
    auto volumes_before = project_usage::custom_volumes(db, p.name, nullptr);
    auto volumes_after = project_usage::custom_volumes(db, p.name, volume);
    for (const auto& key : project_usage::aggregate_keys()) {
        if (!project_usage::limit_value(p, key)) continue;
        int64_t use_after = project_usage::aggregate(p.name, key, after, volumes_after, /*strict=*/true);
        int64_t use_before = project_usage::aggregate(p.name, key, before, volumes_before, /*strict=*/false);
        check_limit(p, key, use_before, use_after);
    }
}

}  // namespace

void check_instance(SQLite::Database& db, const InstanceRecord& candidate) {
    ProjectRecord p = load_project(db, candidate.project);
    check_limits(db, p, &candidate, nullptr, nullptr);
    check_instance_restrictions(db, p, candidate);
}

void check_profile(SQLite::Database& db, const ProfileRecord& candidate) {
    // A profile shared from the default project only counts for the default project's limits.
    ProjectRecord p = load_project(db, candidate.project);
    check_profile_restrictions(p, candidate);
    check_limits(db, p, nullptr, &candidate, nullptr);
}

void check_custom_volume(SQLite::Database& db, const std::string& project, const std::string& name, const api::ConfigMap& config) {
    ProjectRecord p = load_project(db, project);
    auto size = config.find("size");
    project_usage::SizedVolume volume{name, size == config.end() ? std::string() : size->second};
    check_limits(db, p, nullptr, nullptr, &volume);
}

void check_network(SQLite::Database& db, const NetworkRecord& candidate) {
    ProjectRecord p = load_project(db, candidate.project);
    int64_t owned = project_usage::owned_networks(db, p.name);
    check_limit(p, "limits.networks", owned, owned + 1);
    check_network_restrictions(p, candidate);
}

void check_project_config(SQLite::Database& db, const ProjectRecord& next) {
    auto instances = project_usage::instances(db, next.name, nullptr, nullptr);
    auto volumes = project_usage::custom_volumes(db, next.name, nullptr);
    auto too_low = [&](const std::string& key, int64_t use, std::string_view what) {
        auto limit = project_usage::limit_value(next, key);
        if (limit && *limit < use)
            throw Error::invalid("config." + key, fmt::format("{} is too low for project \"{}\": {} {} in use", key, next.name,
                                                              project_usage::show(key, use), what));
    };
    too_low("limits.instances", count_type(instances, ""), "instances");
    too_low("limits.containers", count_type(instances, "container"), "containers");
    too_low("limits.virtual-machines", count_type(instances, "virtual-machine"), "virtual machines");
    too_low("limits.networks", project_usage::owned_networks(db, next.name), "networks");
    for (const auto& key : project_usage::aggregate_keys())
        if (project_usage::limit_value(next, key))
            too_low(key, project_usage::aggregate(next.name, key, instances, volumes, /*strict=*/true), amount_name(key));
    check_existing_restrictions(db, next, instances);
}

api::ProjectState project_state(SQLite::Database& db, const ProjectRecord& p) {
    auto instances = project_usage::instances(db, p.name, nullptr, nullptr);
    auto volumes = project_usage::custom_volumes(db, p.name, nullptr);
    api::ProjectState state;
    auto put = [&](const std::string& resource, const std::string& key, int64_t usage) {
        state.resources[resource] = api::ProjectStateResource{project_usage::limit_value(p, key).value_or(-1), usage};
    };
    put("instances", "limits.instances", count_type(instances, ""));
    put("containers", "limits.containers", count_type(instances, "container"));
    put("virtual-machines", "limits.virtual-machines", count_type(instances, "virtual-machine"));
    put("networks", "limits.networks", project_usage::owned_networks(db, p.name));
    for (const auto& key : project_usage::aggregate_keys())
        put(key.substr(std::string_view("limits.").size()), key, project_usage::aggregate(p.name, key, instances, volumes, false));
    return state;
}

}  // namespace li::project_policy
