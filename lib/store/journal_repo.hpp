#pragma once
// Rows of the operations journal (schema v8): multi-step operations in flight.

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace li {

/// One journal row; undo and cleanup are JSON arrays of volume targets (see core/intent.hpp).
struct JournalRecord {
    int64_t id = 0;
    std::string kind;     ///< e.g. "instance.create"
    std::string project;
    std::string subject;  ///< what it works on, e.g. the instance's name
    std::string phase;    ///< "started" (undo if found) or "committed" (clean up if found)
    std::string undo = "[]";
    std::string cleanup = "[]";
    std::string detail;   ///< kind-specific, e.g. the snapshot a restore restores
    std::string started_at;
};

namespace repo {

int64_t insert_journal(SQLite::Database& db, const JournalRecord& record);
/// Marks a row committed with what is left to clean up.
void commit_journal(SQLite::Database& db, int64_t id, const std::string& cleanup);
void delete_journal(SQLite::Database& db, int64_t id);
std::vector<JournalRecord> list_journal(SQLite::Database& db);

}  // namespace repo
}  // namespace li
