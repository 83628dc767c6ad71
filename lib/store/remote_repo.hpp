#pragma once
// Remotes (image servers) and the server each pulled image came from, in the state database.

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "libinstance/api/remote.hpp"

namespace li::repo {

std::vector<api::Remote> list_remotes(SQLite::Database& db);
std::optional<api::Remote> find_remote(SQLite::Database& db, const std::string& name);
void insert_remote(SQLite::Database& db, const api::Remote& remote);
/// Returns false when there was no such remote.
bool delete_remote(SQLite::Database& db, const std::string& name);
bool rename_remote(SQLite::Database& db, const std::string& from, const std::string& to);

/// Where an image was pulled from (LXD's images_source).
struct ImageSourceRecord {
    std::string server;
    std::string protocol = "simplestreams";
    std::string certificate;
    std::string alias;
};
std::optional<ImageSourceRecord> find_image_source(SQLite::Database& db, int64_t image_id);
void set_image_source(SQLite::Database& db, int64_t image_id, const ImageSourceRecord& source);
/// Sets the flags a pull chooses (public, auto_update, cached).
void set_image_flags(SQLite::Database& db, int64_t image_id, bool public_, bool auto_update, bool cached);
/// Points an alias at another image; false when there is no such alias.
bool move_alias(SQLite::Database& db, const std::string& project, const std::string& alias, int64_t image_id);
/// True when an instance of the project was created from the image (volatile.base_image).
bool image_in_use(SQLite::Database& db, const std::string& project, const std::string& fingerprint);

}  // namespace li::repo
