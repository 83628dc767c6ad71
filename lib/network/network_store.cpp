// NetworkStore: managed networks (records, validation, users, events) over the network drivers,
// and the host's other interfaces listed as unmanaged, as LXD does.
#include "client/rest_objects.hpp"
#include "libinstance/network.hpp"

#include <cctype>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>

#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "network/link_state.hpp"
#include "network/netlink.hpp"
#include "network/network_driver.hpp"
#include "store/network_repo.hpp"
#include "store/profile_repo.hpp"
#include "sys/sha256.hpp"
#include "project/project_scope.hpp"
#include "project/project_policy.hpp"

namespace li {

namespace {


// An interface name, as LXD's network names: 1..15 characters, no '/', ':' or white space, not
// "." or "..", not starting with '-'.
void validate_network_name(const std::string& name, const std::string& key) {
    if (name.empty()) throw Error::invalid(key, "network name is empty");
    if (name.size() > 15) throw Error::invalid(key, fmt::format("network name \"{}\" is longer than 15 characters (an interface name)", name));
    bool ok = name != "." && name != ".." && name.front() != '-';
    for (char c : name) ok = ok && std::isprint(static_cast<unsigned char>(c)) && c != '/' && c != ':' && c != ' ' && c != '%' && c != '"';
    if (!ok)
        throw Error::invalid(key, fmt::format("invalid network name \"{}\" (an interface name: no '/', ':', '%' or spaces, "
                                              "not starting with '-')", name));
}

std::string source_of(const std::string& name, const std::string& project) { return api_source("networks", name, project); }

NetworkRecord find_or_throw(SQLite::Database& db, const std::string& project, const std::string& name) {
    auto record = repo::find_network(db, project, name);
    if (!record) throw Error(ErrorCode::NotFound, fmt::format("network \"{}\" not found", name), "name");
    return std::move(*record);
}

// The API URLs of the instances and profiles with a nic on the network; instances using it
// through a profile count too.
std::vector<std::string> users_of(ManagerCore& core, const std::string& name) {
    return core.db().read([&](SQLite::Database& db) {
        std::set<std::pair<std::string, std::string>> instances;
        for (auto& p : repo::instances_using_network(db, name)) instances.insert(p);
        auto profiles = repo::profiles_using_network(db, name);
        for (const auto& [project, profile] : profiles)
            if (auto record = repo::find_profile(db, project, profile))
                for (auto& user : repo::instances_using_profile(db, record->id)) instances.insert(user);
        std::vector<std::string> out;
        for (const auto& [project, instance] : instances) out.push_back(api_source("instances", instance, project));
        for (const auto& [project, profile] : profiles) out.push_back(api_source("profiles", profile, project));
        return out;
    });
}

api::Network to_api(ManagerCore& core, const NetworkRecord& record) {
    api::Network n;
    n.name = record.name;
    n.description = record.description;
    n.type = record.type;
    n.managed = true;
    n.status = record.status;
    n.config = record.config;
    n.used_by = users_of(core, record.name);
    return n;
}

api::Network unmanaged(const netlink::Link& link) {
    api::Network n;
    n.name = link.name;
    n.type = link_type(link);
    return n;
}

std::string network_etag(const NetworkRecord& record) {
    Sha256 hash;
    hash.update(api::to_json(api::NetworkPut{record.description, record.config}));
    return hash.hex_digest();
}

// What the other managed networks' subnets are, for the overlap check.
NetworkContext context_of(ManagerCore& core, const std::string& project, const std::string& self) {
    NetworkContext ctx;
    auto all = core.db().read([](SQLite::Database& db) { return repo::list_all_networks(db); });
    for (const auto& n : all) {
        if (n.project == project && n.name == self) {
            ctx.current = n.config;
            ctx.creating = false;
            continue;
        }
        for (const char* key : {"ipv4.address", "ipv6.address"}) {
            auto it = n.config.find(key);
            if (it == n.config.end()) continue;
            if (auto cidr = net::parse_cidr(it->second))
                ctx.other_networks.push_back({cidr->network(), fmt::format("network \"{}\"", n.name)});
        }
    }
    return ctx;
}

}  // namespace

NetworkStore::NetworkStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

api::Network NetworkStore::create(std::string_view project_in, const api::NetworksPost& post) {
    if (auto rest = core_->rest()) return rest::create_network(rest, project_in, post);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    validate_network_name(post.name, "name");
    auto driver_ptr = network_driver(*core_, post.type);
    NetworkDriver& driver = *driver_ptr;  // NotSupported, key "type"
    auto lock = core_->locks().lock_networks();
    bool exists = core_->db().read([&](SQLite::Database& db) { return repo::find_network(db, project, post.name).has_value(); });
    if (exists || netlink::find_link(post.name))
        throw Error(ErrorCode::AlreadyExists, fmt::format("network \"{}\" already exists", post.name), "name");

    NetworkContext ctx = context_of(*core_, project, post.name);
    ctx.creating = true;
    NetworkRecord record;
    record.project = project;
    record.name = post.name;
    record.description = post.description;
    record.type = post.type;
    record.config = driver.validate(post.name, post.config, ctx);  // InvalidArgument naming config.<key>
    core_->db().read([&](SQLite::Database& db) { project_policy::check_network(db, record); });  // again when written

    Reverter revert;
    try {
        driver.create(record);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("creating network {}", post.name));
    }
    revert.add([&] {
        try {
            driver.remove(record);
        } catch (const std::exception& e) {
            log::warn("removing a half-made network", {{"network", record.name}, {"error", e.what()}});
        }
    });
    core_->db().transaction([&](SQLite::Database& db) {
        project_policy::check_network(db, record);
        record.id = repo::insert_network(db, record);
    });
    revert.success();
    log::info("network created", {{"network", post.name}, {"type", post.type}});
    core_->events().lifecycle(project, "network-created", source_of(post.name, project));
    return to_api(*core_, record);
}

std::vector<api::Network> NetworkStore::list(std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::list_networks(rest, project_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    auto records = core_->db().read([&](SQLite::Database& db) { return repo::list_networks(db, project); });
    std::map<std::string, api::Network> by_name;
    std::set<std::string> managed;
    for (const auto& r : records) {
        by_name[r.name] = to_api(*core_, r);
        managed.insert(r.name);
    }
    for (const auto& link : netlink::links())
        if (!managed.count(link.name)) by_name[link.name] = unmanaged(link);
    std::vector<api::Network> out;
    for (auto& [name, n] : by_name) out.push_back(std::move(n));
    return out;
}

api::Network NetworkStore::get(std::string_view project_in, std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::get_network(rest, project_in, name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    auto record = core_->db().read([&](SQLite::Database& db) { return repo::find_network(db, project, name); });
    if (record) return to_api(*core_, *record);
    if (auto link = netlink::find_link(name)) return unmanaged(*link);
    throw Error(ErrorCode::NotFound, fmt::format("network \"{}\" not found", name), "name");
}

bool NetworkStore::exists(std::string_view project, std::string_view name) {
    if (auto rest = core_->rest()) return rest::network_exists(rest, project, name);
    try {
        get(project, name);
        return true;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound && e.key() != "project") return false;
        throw;
    }
}

std::string NetworkStore::etag(std::string_view project_in, std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::network_etag(rest, project_in, name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    auto record = core_->db().read([&](SQLite::Database& db) { return repo::find_network(db, project, name); });
    if (record) return network_etag(*record);
    return network_etag(NetworkRecord{});  // an unmanaged interface: nothing writable
}

void NetworkStore::update(std::string_view project_in, std::string_view name_in, const api::NetworkPut& put, std::string_view if_match) {
    if (auto rest = core_->rest()) return rest::update_network(rest, project_in, name_in, put, if_match);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    auto lock = core_->locks().lock_networks();
    auto found = core_->db().read([&](SQLite::Database& db) { return repo::find_network(db, project, name); });
    if (!found) {
        if (netlink::find_link(name))
            throw Error::invalid("name", fmt::format("network \"{}\" is not managed by libinstance and cannot be changed", name));
        throw Error(ErrorCode::NotFound, fmt::format("network \"{}\" not found", name), "name");
    }
    NetworkRecord current = std::move(*found);
    if (!if_match.empty() && if_match != network_etag(current))
        throw Error(ErrorCode::Conflict, fmt::format("network \"{}\" was changed by someone else (ETag mismatch); read it again", name), "etag");
    auto driver_ptr = network_driver(*core_, current.type);
    NetworkDriver& driver = *driver_ptr;
    NetworkRecord next = current;
    next.description = put.description;
    next.config = driver.validate(name, put.config, context_of(*core_, project, name));
    try {
        driver.update(current, next);
    } catch (const Error& e) {
        // Put back what was there: a failed change must change nothing.
        try {
            driver.update(next, current);
        } catch (const std::exception& undo) {
            log::warn("restoring a network after a failed update", {{"network", name}, {"error", undo.what()}});
        }
        throw e.with_context(fmt::format("updating network {}", name));
    }
    core_->db().transaction([&](SQLite::Database& db) { repo::update_network(db, next); });
    log::info("network updated", {{"network", name}});
    core_->events().lifecycle(project, "network-updated", source_of(name, project));
}

void NetworkStore::rename(std::string_view project_in, std::string_view name_in, std::string_view new_name_in) {
    if (auto rest = core_->rest()) return rest::rename_network(rest, project_in, name_in, new_name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    std::string new_name(new_name_in);
    validate_network_name(new_name, "new_name");
    auto lock = core_->locks().lock_networks();
    NetworkRecord record = core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, project, name); });
    auto users = users_of(*core_, name);
    if (!users.empty())
        throw Error(ErrorCode::Busy, fmt::format("network \"{}\" is in use by {}", name, fmt::join(users, ", ")), "name");
    bool taken = core_->db().read([&](SQLite::Database& db) { return repo::find_network(db, project, new_name).has_value(); });
    if (taken || netlink::find_link(new_name))
        throw Error(ErrorCode::AlreadyExists, fmt::format("network \"{}\" already exists", new_name), "new_name");
    auto driver_ptr = network_driver(*core_, record.type);
    NetworkDriver& driver = *driver_ptr;
    Reverter revert;
    try {
        driver.rename(record, new_name);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("renaming network {} to {}", name, new_name));
    }
    revert.add([&] {
        NetworkRecord renamed = record;
        renamed.name = new_name;
        driver.rename(renamed, name);
    });
    core_->db().transaction([&](SQLite::Database& db) { repo::rename_network(db, record.id, new_name); });
    revert.success();
    log::info("network renamed", {{"network", name}, {"new_name", new_name}});
    core_->events().lifecycle(project, "network-renamed", source_of(new_name, project), {{"old_name", name}});
}

void NetworkStore::remove(std::string_view project_in, std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::delete_network(rest, project_in, name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    auto lock = core_->locks().lock_networks();
    NetworkRecord record = core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, project, name); });
    auto users = users_of(*core_, name);
    if (!users.empty())
        throw Error(ErrorCode::Busy, fmt::format("network \"{}\" is in use by {}", name, fmt::join(users, ", ")), "name");
    try {
        network_driver(*core_, record.type)->remove(record);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("deleting network {}", name));
    }
    core_->db().transaction([&](SQLite::Database& db) { repo::delete_network(db, record.id); });
    log::info("network deleted", {{"network", name}});
    core_->events().lifecycle(project, "network-deleted", source_of(name, project));
}

api::NetworkState NetworkStore::state(std::string_view project_in, std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::network_state(rest, project_in, name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    auto record = core_->db().read([&](SQLite::Database& db) { return repo::find_network(db, project, name); });
    if (record) return network_driver(*core_, record->type)->state(*record);
    return link_state(name);  // NotFound when there is no such interface either
}

std::vector<api::NetworkLease> NetworkStore::leases(std::string_view project_in, std::string_view name_in) {
    if (auto rest = core_->rest()) return rest::network_leases(rest, project_in, name_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Networks);
    std::string name(name_in);
    NetworkRecord record = core_->db().read([&](SQLite::Database& db) { return find_or_throw(db, project, name); });
    return network_driver(*core_, record.type)->leases(record);
}

}  // namespace li
