#pragma once
// Managed networks in the state database (one row each, config as a JSON object).

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace li {

struct NetworkRecord {
    int64_t id = 0;
    std::string project;
    std::string name;
    std::string description;
    std::string type;
    std::map<std::string, std::string> config;
    std::string status = "Created";
};

// A `project` argument means the networks of the project whose networks it uses
// (features.networks), as repo::project_for resolves it; an unknown project is NotFound (key
// "project").
namespace repo {

std::optional<NetworkRecord> find_network(SQLite::Database& db, const std::string& project, const std::string& name);
/// The networks of a project, by name.
std::vector<NetworkRecord> list_networks(SQLite::Database& db, const std::string& project);
/// Every project's networks (subnets must not overlap across projects: they share the host).
std::vector<NetworkRecord> list_all_networks(SQLite::Database& db);
int64_t insert_network(SQLite::Database& db, const NetworkRecord& network);
/// Replaces description, config and status of network.id.
void update_network(SQLite::Database& db, const NetworkRecord& network);
void rename_network(SQLite::Database& db, int64_t id, const std::string& new_name);
void delete_network(SQLite::Database& db, int64_t id);
/// (project, name) of the instances, then of the profiles, with a device whose network=name.
std::vector<std::pair<std::string, std::string>> instances_using_network(SQLite::Database& db, const std::string& network);
std::vector<std::pair<std::string, std::string>> profiles_using_network(SQLite::Database& db, const std::string& network);

}  // namespace repo
}  // namespace li
