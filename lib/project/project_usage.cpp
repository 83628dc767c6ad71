#include "project/project_usage.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "storage/size.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"

namespace li::project_usage {

ExpandedInstance expand(SQLite::Database& db, const InstanceRecord& record, const ProfileRecord* changed_profile) {
    std::vector<ProfileRecord> profiles;
    for (const auto& name : record.profiles) {
        if (changed_profile && changed_profile->name == name) profiles.push_back(*changed_profile);
        else if (auto p = repo::find_profile(db, record.project, name)) profiles.push_back(std::move(*p));
    }
    return ExpandedInstance{record.name, record.type, expand_instance(profiles, record.config, record.devices)};
}

std::vector<ExpandedInstance> instances(SQLite::Database& db, const std::string& project, const InstanceRecord* candidate,
                                        const ProfileRecord* changed_profile) {
    std::vector<ExpandedInstance> out;
    for (const auto& record : repo::list_instances(db, project))
        if (!candidate || record.name != candidate->name) out.push_back(expand(db, record, changed_profile));
    if (candidate) out.push_back(expand(db, *candidate, changed_profile));
    return out;
}

std::vector<SizedVolume> custom_volumes(SQLite::Database& db, const std::string& project, const SizedVolume* candidate) {
    SQLite::Statement q(db, "SELECT v.name, COALESCE(c.value, '') FROM storage_volumes v LEFT JOIN storage_volumes_config c "
                            "ON c.volume_id = v.id AND c.key = 'size' WHERE v.project = ? AND v.type = 'custom' ORDER BY v.name");
    q.bind(1, project);
    std::vector<SizedVolume> out;
    while (q.executeStep()) {
        SizedVolume v{q.getColumn(0).getString(), q.getColumn(1).getString()};
        if (!candidate || v.name != candidate->name) out.push_back(std::move(v));
    }
    if (candidate) out.push_back(*candidate);
    return out;
}

int64_t owned_networks(SQLite::Database& db, const std::string& project) {
    SQLite::Statement q(db, "SELECT count(*) FROM networks WHERE project = ?");
    q.bind(1, project);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

const std::vector<std::string>& aggregate_keys() {
    static const std::vector<std::string> keys = {"limits.cpu", "limits.memory", "limits.processes", "limits.disk"};
    return keys;
}

namespace {

// An instance's own amount of an aggregate key; nullopt when it does not set it.
std::optional<int64_t> instance_amount(const std::string& project, const std::string& key, const ExpandedInstance& inst) {
    if (key == "limits.disk") {
        for (const auto& [device, d] : inst.expanded.devices) {
            auto type = d.find("type"), path = d.find("path");
            if (type == d.end() || type->second != "disk" || path == d.end() || path->second != "/") continue;
            auto size = d.find("size");
            if (size == d.end() || size->second.empty()) return std::nullopt;
            return static_cast<int64_t>(parse_size(size->second, "devices." + device + ".size"));
        }
        return std::nullopt;
    }
    auto it = inst.expanded.config.find(key);
    if (it == inst.expanded.config.end() || it->second.empty()) return std::nullopt;
    const std::string& value = it->second;
    if (key == "limits.memory") {
        if (value.ends_with("%"))
            throw Error::invalid("config.limits.memory", fmt::format("instance \"{}\" in project \"{}\" sets limits.memory as a percentage "
                                                                     "(\"{}\"), which the project's limits.memory cannot count", inst.name, project, value));
        return static_cast<int64_t>(parse_size(value, "config.limits.memory"));
    }
    if (key == "limits.cpu" && value.find_first_of(",-") != std::string::npos)
        throw Error::invalid("config.limits.cpu", fmt::format("instance \"{}\" in project \"{}\" pins CPUs (limits.cpu \"{}\"), which a project "
                                                              "with limits.cpu does not allow: give a number of CPUs", inst.name, project, value));
    try {
        return std::stoll(value);
    } catch (const std::exception&) {
        throw Error::invalid("config." + key, fmt::format("instance \"{}\" has {} \"{}\", not a number", inst.name, key, value));
    }
}

}  // namespace

int64_t aggregate(const std::string& project, const std::string& key, const std::vector<ExpandedInstance>& instances,
                  const std::vector<SizedVolume>& volumes, bool strict) {
    int64_t total = 0;
    for (const auto& inst : instances) {
        std::optional<int64_t> amount;
        if (strict) {
            amount = instance_amount(project, key, inst);
        } else {
            try {
                amount = instance_amount(project, key, inst);
            } catch (const Error&) {
                // the state shows what can be counted; a bad value is refused where it is set
            }
        }
        if (amount) total += *amount;
        else if (strict && key == "limits.disk")
            throw Error::invalid("devices.root.size", fmt::format("instance \"{}\" in project \"{}\" has no size on its root disk, directly or "
                                                                  "through a profile, and the project sets limits.disk", inst.name, project));
        else if (strict)
            throw Error::invalid("config." + key, fmt::format("instance \"{}\" in project \"{}\" has no {}, directly or through a profile, "
                                                              "and the project sets {}", inst.name, project, key, key));
    }
    if (key != "limits.disk") return total;
    for (const auto& v : volumes) {
        if (v.size.empty()) {
            if (strict)
                throw Error::invalid("config.size", fmt::format("custom volume \"{}\" in project \"{}\" has no size, and the project sets "
                                                                "limits.disk", v.name, project));
            continue;
        }
        total += static_cast<int64_t>(parse_size(v.size, "config.size"));
    }
    return total;
}

std::optional<int64_t> limit_value(const ProjectRecord& project, const std::string& key) {
    auto it = project.config.find(key);
    if (it == project.config.end() || it->second.empty()) return std::nullopt;
    if (key == "limits.memory" || key == "limits.disk") return static_cast<int64_t>(parse_size(it->second, "config." + key));
    return std::stoll(it->second);
}

std::string show(const std::string& key, int64_t amount) {
    if (key != "limits.memory" && key != "limits.disk") return std::to_string(amount);
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(amount);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{}B", amount) : fmt::format("{:.2f}{}", value, units[unit]);
}

}  // namespace li::project_usage
