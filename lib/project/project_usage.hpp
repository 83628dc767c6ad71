#pragma once
// What a project's instances, volumes and networks add up to, for its limits and its state.

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "instance/expand.hpp"
#include "store/project_repo.hpp"
#include "store/records.hpp"

namespace li::project_usage {

/// An instance of the project with its profiles applied.
struct ExpandedInstance {
    std::string name;
    std::string type;
    Expanded expanded;
};

/// The project's instances, expanded; `candidate` replaces (or joins) the instance of its name
/// and `changed_profile` the stored profile of its name.
std::vector<ExpandedInstance> instances(SQLite::Database& db, const std::string& project, const InstanceRecord* candidate,
                                        const ProfileRecord* changed_profile);
/// Expands one instance record with the profiles it names (changed_profile in place of its name).
ExpandedInstance expand(SQLite::Database& db, const InstanceRecord& record, const ProfileRecord* changed_profile);

/// A custom volume's name and its size setting ("" when unset).
struct SizedVolume {
    std::string name;
    std::string size;
};
/// The custom volumes the project owns; `candidate` replaces (or joins) the volume of its name.
std::vector<SizedVolume> custom_volumes(SQLite::Database& db, const std::string& project, const SizedVolume* candidate);
/// How many networks the project owns.
int64_t owned_networks(SQLite::Database& db, const std::string& project);

/// The aggregate limit keys (each instance must set the matching key).
const std::vector<std::string>& aggregate_keys();
/// The sum of an aggregate key over the instances (and, for limits.disk, the volumes). With
/// `strict`, an instance or volume that does not set it is an InvalidArgument naming what is
/// missing; otherwise it counts as 0.
int64_t aggregate(const std::string& project, const std::string& key, const std::vector<ExpandedInstance>& instances,
                  const std::vector<SizedVolume>& volumes, bool strict);
/// The value of a limit key as a number (sizes in bytes); nullopt when unset.
std::optional<int64_t> limit_value(const ProjectRecord& project, const std::string& key);
/// A human figure for a limit key's amount ("2", "1.50GiB").
std::string show(const std::string& key, int64_t amount);

}  // namespace li::project_usage
