#include "store/image_repo.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "store/kv.hpp"
#include "store/project_repo.hpp"

namespace li::repo {

namespace {

constexpr const char* kColumns =
    "id, project, fingerprint, filename, size, architecture, type, public, auto_update, cached, "
    "created_at, uploaded_at, expires_at, last_used_at";

ImageRecord image_from_row(SQLite::Database& db, SQLite::Statement& q) {
    ImageRecord r;
    r.id = q.getColumn(0).getInt64();
    api::Image& i = r.image;
    i.project = q.getColumn(1).getString();
    i.fingerprint = q.getColumn(2).getString();
    i.filename = q.getColumn(3).getString();
    i.size = q.getColumn(4).getInt64();
    i.architecture = q.getColumn(5).getString();
    i.type = q.getColumn(6).getString();
    i.public_ = q.getColumn(7).getInt() != 0;
    i.auto_update = q.getColumn(8).getInt() != 0;
    i.cached = q.getColumn(9).getInt() != 0;
    i.created_at = q.getColumn(10).getString();
    i.uploaded_at = q.getColumn(11).getString();
    i.expires_at = q.getColumn(12).getString();
    i.last_used_at = q.getColumn(13).getString();
    i.properties = kv::load_config(db, "images_properties", "image_id", r.id);
    SQLite::Statement a(db, "SELECT name, description FROM images_aliases WHERE image_id = ? ORDER BY name");
    a.bind(1, r.id);
    while (a.executeStep()) i.aliases.push_back({a.getColumn(0).getString(), a.getColumn(1).getString()});
    return r;
}

}  // namespace

std::vector<ImageRecord> list_images(SQLite::Database& db, const std::string& project_in) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    std::vector<ImageRecord> out;
    SQLite::Statement q(db, fmt::format("SELECT {} FROM images WHERE project = ? ORDER BY uploaded_at", kColumns));
    q.bind(1, project);
    while (q.executeStep()) out.push_back(image_from_row(db, q));
    return out;
}

std::optional<ImageRecord> find_image_by_fingerprint(SQLite::Database& db, const std::string& project_in,
                                                     const std::string& fingerprint) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement q(db, fmt::format("SELECT {} FROM images WHERE project = ? AND fingerprint = ?", kColumns));
    q.bind(1, project);
    q.bind(2, fingerprint);
    if (!q.executeStep()) return std::nullopt;
    return image_from_row(db, q);
}

ImageRecord resolve_image(SQLite::Database& db, const std::string& project_in, const std::string& ref) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    if (ref.empty()) throw Error::invalid("image", "no image given (alias or fingerprint)");
    {
        SQLite::Statement q(db, fmt::format("SELECT {} FROM images WHERE id = (SELECT image_id FROM images_aliases "
                                            "WHERE project = ? AND name = ?)", kColumns));
        q.bind(1, project);
        q.bind(2, ref);
        if (q.executeStep()) return image_from_row(db, q);
    }
    bool hex = ref.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (hex) {
        SQLite::Statement q(db, fmt::format("SELECT {} FROM images WHERE project = ? AND substr(fingerprint, 1, ?) = ?", kColumns));
        q.bind(1, project);
        q.bind(2, static_cast<int>(ref.size()));
        q.bind(3, ref);
        std::vector<ImageRecord> found;
        while (q.executeStep()) found.push_back(image_from_row(db, q));
        if (found.size() == 1) return found.front();
        if (found.size() > 1)
            throw Error::invalid("image", fmt::format("image fingerprint prefix \"{}\" matches {} images", ref, found.size()));
    }
    throw Error(ErrorCode::NotFound, fmt::format("image \"{}\" not found (no such alias or fingerprint)", ref), "image");
}

int64_t insert_image(SQLite::Database& db, const api::Image& i) {
    SQLite::Statement ins(db,
        "INSERT INTO images (project, fingerprint, filename, size, architecture, type, public, auto_update, cached, "
        "created_at, uploaded_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, project_for(db, i.project, ProjectFeature::Images));
    ins.bind(2, i.fingerprint);
    ins.bind(3, i.filename);
    ins.bind(4, i.size);
    ins.bind(5, i.architecture);
    ins.bind(6, i.type);
    ins.bind(7, i.public_ ? 1 : 0);
    ins.bind(8, i.auto_update ? 1 : 0);
    ins.bind(9, i.cached ? 1 : 0);
    ins.bind(10, i.created_at);
    ins.bind(11, i.uploaded_at);
    ins.bind(12, i.expires_at);
    ins.bind(13, i.last_used_at);
    ins.exec();
    int64_t id = db.getLastInsertRowid();
    kv::store_config(db, "images_properties", "image_id", id, i.properties);
    return id;
}

void delete_image(SQLite::Database& db, int64_t id) {
    SQLite::Statement del(db, "DELETE FROM images WHERE id = ?");
    del.bind(1, id);
    del.exec();
}

bool alias_exists(SQLite::Database& db, const std::string& project_in, const std::string& alias) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement q(db, "SELECT 1 FROM images_aliases WHERE project = ? AND name = ?");
    q.bind(1, project);
    q.bind(2, alias);
    return q.executeStep();
}

void insert_alias(SQLite::Database& db, const std::string& project_in, const std::string& alias, int64_t image_id,
                  const std::string& description) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement ins(db, "INSERT INTO images_aliases (project, name, image_id, description) VALUES (?, ?, ?, ?)");
    ins.bind(1, project);
    ins.bind(2, alias);
    ins.bind(3, image_id);
    ins.bind(4, description);
    ins.exec();
}

bool delete_alias(SQLite::Database& db, const std::string& project_in, const std::string& alias) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement del(db, "DELETE FROM images_aliases WHERE project = ? AND name = ?");
    del.bind(1, project);
    del.bind(2, alias);
    return del.exec() > 0;
}

void touch_image(SQLite::Database& db, int64_t id, const std::string& when) {
    SQLite::Statement up(db, "UPDATE images SET last_used_at = ? WHERE id = ?");
    up.bind(1, when);
    up.bind(2, id);
    up.exec();
}


std::vector<api::ImageAliasesEntry> list_aliases(SQLite::Database& db, const std::string& project_in) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    std::vector<api::ImageAliasesEntry> out;
    SQLite::Statement q(db, "SELECT a.name, a.description, i.fingerprint, i.type FROM images_aliases a "
                            "JOIN images i ON i.id = a.image_id WHERE a.project = ? ORDER BY a.name");
    q.bind(1, project);
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString()});
    return out;
}

std::optional<api::ImageAliasesEntry> find_alias(SQLite::Database& db, const std::string& project_in, const std::string& alias) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement q(db, "SELECT a.name, a.description, i.fingerprint, i.type FROM images_aliases a "
                            "JOIN images i ON i.id = a.image_id WHERE a.project = ? AND a.name = ?");
    q.bind(1, project);
    q.bind(2, alias);
    if (!q.executeStep()) return std::nullopt;
    return api::ImageAliasesEntry{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                                  q.getColumn(3).getString()};
}

bool rename_alias(SQLite::Database& db, const std::string& project_in, const std::string& alias, const std::string& new_name) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement up(db, "UPDATE images_aliases SET name = ? WHERE project = ? AND name = ?");
    up.bind(1, new_name);
    up.bind(2, project);
    up.bind(3, alias);
    return up.exec() > 0;
}

void update_alias(SQLite::Database& db, const std::string& project_in, const std::string& alias, int64_t image_id,
                  const std::string& description) {
    const std::string project = project_for(db, project_in, ProjectFeature::Images);
    SQLite::Statement up(db, "UPDATE images_aliases SET image_id = ?, description = ? WHERE project = ? AND name = ?");
    up.bind(1, image_id);
    up.bind(2, description);
    up.bind(3, project);
    up.bind(4, alias);
    up.exec();
}

void update_image(SQLite::Database& db, int64_t id, const api::ImagePut& put) {
    SQLite::Statement up(db, "UPDATE images SET public = ?, auto_update = ?, expires_at = ? WHERE id = ?");
    up.bind(1, put.public_ ? 1 : 0);
    up.bind(2, put.auto_update ? 1 : 0);
    up.bind(3, put.expires_at);
    up.bind(4, id);
    up.exec();
    kv::store_config(db, "images_properties", "image_id", id, put.properties);
}

std::vector<ImageRecord> list_cached_images(SQLite::Database& db) {
    std::vector<ImageRecord> out;
    SQLite::Statement q(db, fmt::format("SELECT {} FROM images WHERE cached = 1 ORDER BY id", kColumns));
    while (q.executeStep()) out.push_back(image_from_row(db, q));
    return out;
}

std::vector<ImageRecord> list_auto_update_images(SQLite::Database& db) {
    std::vector<ImageRecord> out;
    SQLite::Statement q(db, fmt::format("SELECT {} FROM images WHERE auto_update = 1 AND id IN (SELECT image_id FROM images_source) "
                                        "ORDER BY project, id",
                                        kColumns));
    while (q.executeStep()) out.push_back(image_from_row(db, q));
    return out;
}

}  // namespace li::repo
