#include "store/instance_repo.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "store/kv.hpp"
#include "store/project_repo.hpp"
#include "store/profile_repo.hpp"

namespace li::repo {

namespace {

constexpr const char* kColumns =
    "id, project, name, type, architecture, description, ephemeral, created_at, last_used_at";

InstanceRecord instance_from_row(SQLite::Database& db, SQLite::Statement& q) {
    InstanceRecord r;
    r.id = q.getColumn(0).getInt64();
    r.project = q.getColumn(1).getString();
    r.name = q.getColumn(2).getString();
    r.type = q.getColumn(3).getString();
    r.architecture = q.getColumn(4).getString();
    r.description = q.getColumn(5).getString();
    r.ephemeral = q.getColumn(6).getInt() != 0;
    r.created_at = q.getColumn(7).getString();
    r.last_used_at = q.getColumn(8).getString();
    r.config = kv::load_config(db, "instances_config", "instance_id", r.id);
    r.devices = kv::load_devices(db, "instances_devices", "instance_id", r.id);
    SQLite::Statement p(db, "SELECT p.name FROM instances_profiles ip JOIN profiles p ON p.id = ip.profile_id "
                            "WHERE ip.instance_id = ? ORDER BY ip.apply_order");
    p.bind(1, r.id);
    while (p.executeStep()) r.profiles.push_back(p.getColumn(0).getString());
    return r;
}

// Config, devices and the ordered profile links of an instance row.
void store_instance_settings(SQLite::Database& db, int64_t id, const InstanceRecord& r) {
    kv::store_config(db, "instances_config", "instance_id", id, r.config);
    kv::store_devices(db, "instances_devices", "instance_id", id, r.devices);
    SQLite::Statement link(db, "INSERT INTO instances_profiles (instance_id, profile_id, apply_order) VALUES (?, ?, ?)");
    int order = 0;
    for (const auto& name : r.profiles) {
        auto profile = find_profile(db, r.project, name);
        if (!profile)
            throw Error(ErrorCode::NotFound, fmt::format("profile \"{}\" not found in project \"{}\"", name, r.project), "profiles");
        link.bind(1, id);
        link.bind(2, profile->id);
        link.bind(3, order++);
        link.exec();
        link.reset();
    }
}

}  // namespace

std::optional<InstanceRecord> find_instance(SQLite::Database& db, const std::string& project_in, const std::string& name) {
    const std::string project = project_for(db, project_in, ProjectFeature::None);
    SQLite::Statement q(db, fmt::format("SELECT {} FROM instances WHERE project = ? AND name = ?", kColumns));
    q.bind(1, project);
    q.bind(2, name);
    if (!q.executeStep()) return std::nullopt;
    return instance_from_row(db, q);
}

std::vector<InstanceRecord> list_instances(SQLite::Database& db, const std::string& project_in) {
    const std::string project = project_for(db, project_in, ProjectFeature::None);
    std::vector<InstanceRecord> out;
    SQLite::Statement q(db, fmt::format("SELECT {} FROM instances WHERE project = ? ORDER BY name", kColumns));
    q.bind(1, project);
    while (q.executeStep()) out.push_back(instance_from_row(db, q));
    return out;
}

int64_t insert_instance(SQLite::Database& db, const InstanceRecord& r) {
    SQLite::Statement ins(db, "INSERT INTO instances (project, name, type, architecture, description, ephemeral, "
                              "created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, project_for(db, r.project, ProjectFeature::None));
    ins.bind(2, r.name);
    ins.bind(3, r.type);
    ins.bind(4, r.architecture);
    ins.bind(5, r.description);
    ins.bind(6, r.ephemeral ? 1 : 0);
    ins.bind(7, r.created_at);
    ins.bind(8, r.last_used_at);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    store_instance_settings(db, id, r);
    return id;
}

void update_instance(SQLite::Database& db, const InstanceRecord& r) {
    SQLite::Statement up(db, "UPDATE instances SET description = ?, ephemeral = ? WHERE id = ?");
    up.bind(1, r.description);
    up.bind(2, r.ephemeral ? 1 : 0);
    up.bind(3, r.id);
    up.exec();
    SQLite::Statement unlink(db, "DELETE FROM instances_profiles WHERE instance_id = ?");
    unlink.bind(1, r.id);
    unlink.exec();
    store_instance_settings(db, r.id, r);
}

void delete_instance(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM instances WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

void set_instance_last_used(SQLite::Database& db, int64_t id, const std::string& when) {
    SQLite::Statement up(db, "UPDATE instances SET last_used_at = ? WHERE id = ?");
    up.bind(1, when);
    up.bind(2, id);
    up.exec();
}

void rename_instance(SQLite::Database& db, int64_t id, const std::string& new_name) {
    SQLite::Statement up(db, "UPDATE instances SET name = ? WHERE id = ?");
    up.bind(1, new_name);
    up.bind(2, id);
    up.exec();
}

}  // namespace li::repo
