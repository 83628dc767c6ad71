#pragma once
// Images and their aliases in the state database.

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

// A `project` argument means the images and aliases of the project whose images it uses
// (features.images), as repo::project_for resolves it; an unknown project is NotFound (key
// "project").
namespace li::repo {

std::vector<ImageRecord> list_images(SQLite::Database& db, const std::string& project);
/// By exact alias, else by unique fingerprint prefix. Throws NotFound, or InvalidArgument when
/// the prefix is ambiguous.
ImageRecord resolve_image(SQLite::Database& db, const std::string& project, const std::string& ref);
std::optional<ImageRecord> find_image_by_fingerprint(SQLite::Database& db, const std::string& project,
                                                     const std::string& fingerprint);
int64_t insert_image(SQLite::Database& db, const api::Image& image);
void delete_image(SQLite::Database& db, int64_t id);
bool alias_exists(SQLite::Database& db, const std::string& project, const std::string& alias);
void insert_alias(SQLite::Database& db, const std::string& project, const std::string& alias, int64_t image_id,
                  const std::string& description);
/// Returns false when there was no such alias.
bool delete_alias(SQLite::Database& db, const std::string& project, const std::string& alias);
void touch_image(SQLite::Database& db, int64_t id, const std::string& when);
/// Every alias of a project (target = the image's fingerprint), by name.
std::vector<api::ImageAliasesEntry> list_aliases(SQLite::Database& db, const std::string& project);
std::optional<api::ImageAliasesEntry> find_alias(SQLite::Database& db, const std::string& project, const std::string& alias);
/// Returns false when there was no such alias.
bool rename_alias(SQLite::Database& db, const std::string& project, const std::string& alias, const std::string& new_name);
void update_alias(SQLite::Database& db, const std::string& project, const std::string& alias, int64_t image_id,
                  const std::string& description);
/// Writes properties, public, auto_update and expires_at.
void update_image(SQLite::Database& db, int64_t id, const api::ImagePut& put);
/// Cached images of every project.
std::vector<ImageRecord> list_cached_images(SQLite::Database& db);
/// Images of every project with auto_update set and a recorded source (what can be refreshed),
/// by project.
std::vector<ImageRecord> list_auto_update_images(SQLite::Database& db);
}  // namespace li::repo
