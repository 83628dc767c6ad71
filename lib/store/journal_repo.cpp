#include "store/journal_repo.hpp"

namespace li::repo {

int64_t insert_journal(SQLite::Database& db, const JournalRecord& r) {
    SQLite::Statement q(db,
                        "INSERT INTO operations_journal (kind, project, subject, phase, undo, cleanup, detail, started_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, r.kind);
    q.bind(2, r.project);
    q.bind(3, r.subject);
    q.bind(4, r.phase);
    q.bind(5, r.undo);
    q.bind(6, r.cleanup);
    q.bind(7, r.detail);
    q.bind(8, r.started_at);
    q.exec();
    return db.getLastInsertRowid();
}

void commit_journal(SQLite::Database& db, int64_t id, const std::string& cleanup) {
    SQLite::Statement q(db, "UPDATE operations_journal SET phase = 'committed', cleanup = ? WHERE id = ?");
    q.bind(1, cleanup);
    q.bind(2, id);
    q.exec();
}

void delete_journal(SQLite::Database& db, int64_t id) {
    SQLite::Statement q(db, "DELETE FROM operations_journal WHERE id = ?");
    q.bind(1, id);
    q.exec();
}

std::vector<JournalRecord> list_journal(SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT id, kind, project, subject, phase, undo, cleanup, detail, started_at FROM operations_journal "
                        "ORDER BY id");
    std::vector<JournalRecord> out;
    while (q.executeStep()) {
        JournalRecord r;
        r.id = q.getColumn(0).getInt64();
        r.kind = q.getColumn(1).getString();
        r.project = q.getColumn(2).getString();
        r.subject = q.getColumn(3).getString();
        r.phase = q.getColumn(4).getString();
        r.undo = q.getColumn(5).getString();
        r.cleanup = q.getColumn(6).getString();
        r.detail = q.getColumn(7).getString();
        r.started_at = q.getColumn(8).getString();
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace li::repo
