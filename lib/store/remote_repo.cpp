#include "store/remote_repo.hpp"

namespace li::repo {

namespace {

api::Remote remote_from_row(SQLite::Statement& q) {
    api::Remote r;
    r.name = q.getColumn(0).getString();
    r.url = q.getColumn(1).getString();
    r.protocol = q.getColumn(2).getString();
    r.public_ = q.getColumn(3).getInt() != 0;
    r.certificate = q.getColumn(4).getString();
    return r;
}

}  // namespace

std::vector<api::Remote> list_remotes(SQLite::Database& db) {
    std::vector<api::Remote> out;
    SQLite::Statement q(db, "SELECT name, url, protocol, public, certificate FROM remotes ORDER BY name");
    while (q.executeStep()) out.push_back(remote_from_row(q));
    return out;
}

std::optional<api::Remote> find_remote(SQLite::Database& db, const std::string& name) {
    SQLite::Statement q(db, "SELECT name, url, protocol, public, certificate FROM remotes WHERE name = ?");
    q.bind(1, name);
    if (!q.executeStep()) return std::nullopt;
    return remote_from_row(q);
}

void insert_remote(SQLite::Database& db, const api::Remote& r) {
    SQLite::Statement q(db, "INSERT INTO remotes (name, url, protocol, public, certificate) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, r.name);
    q.bind(2, r.url);
    q.bind(3, r.protocol);
    q.bind(4, r.public_ ? 1 : 0);
    q.bind(5, r.certificate);
    q.exec();
}

bool delete_remote(SQLite::Database& db, const std::string& name) {
    SQLite::Statement q(db, "DELETE FROM remotes WHERE name = ?");
    q.bind(1, name);
    return q.exec() > 0;
}

bool rename_remote(SQLite::Database& db, const std::string& from, const std::string& to) {
    SQLite::Statement q(db, "UPDATE remotes SET name = ? WHERE name = ?");
    q.bind(1, to);
    q.bind(2, from);
    return q.exec() > 0;
}

std::optional<ImageSourceRecord> find_image_source(SQLite::Database& db, int64_t image_id) {
    SQLite::Statement q(db, "SELECT server, protocol, certificate, alias FROM images_source WHERE image_id = ?");
    q.bind(1, image_id);
    if (!q.executeStep()) return std::nullopt;
    return ImageSourceRecord{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                             q.getColumn(3).getString()};
}

void set_image_source(SQLite::Database& db, int64_t image_id, const ImageSourceRecord& s) {
    SQLite::Statement q(db,
                        "INSERT INTO images_source (image_id, server, protocol, certificate, alias) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (image_id) DO UPDATE SET server = excluded.server, protocol = excluded.protocol, "
                        "certificate = excluded.certificate, alias = excluded.alias");
    q.bind(1, image_id);
    q.bind(2, s.server);
    q.bind(3, s.protocol);
    q.bind(4, s.certificate);
    q.bind(5, s.alias);
    q.exec();
}

void set_image_flags(SQLite::Database& db, int64_t image_id, bool public_, bool auto_update, bool cached) {
    SQLite::Statement q(db, "UPDATE images SET public = ?, auto_update = ?, cached = ? WHERE id = ?");
    q.bind(1, public_ ? 1 : 0);
    q.bind(2, auto_update ? 1 : 0);
    q.bind(3, cached ? 1 : 0);
    q.bind(4, image_id);
    q.exec();
}

bool move_alias(SQLite::Database& db, const std::string& project, const std::string& alias, int64_t image_id) {
    SQLite::Statement q(db, "UPDATE images_aliases SET image_id = ? WHERE project = ? AND name = ?");
    q.bind(1, image_id);
    q.bind(2, project);
    q.bind(3, alias);
    return q.exec() > 0;
}

bool image_in_use(SQLite::Database& db, const std::string& project, const std::string& fingerprint) {
    SQLite::Statement q(db,
                        "SELECT 1 FROM instances_config c JOIN instances i ON i.id = c.instance_id "
                        "WHERE i.project = ? AND c.key = 'volatile.base_image' AND c.value = ? LIMIT 1");
    q.bind(1, project);
    q.bind(2, fingerprint);
    return q.executeStep();
}

}  // namespace li::repo
