#include "store/server_state_repo.hpp"

namespace li::repo {

std::optional<std::string> get_server_state(SQLite::Database& db, const std::string& key) {
    SQLite::Statement q(db, "SELECT value FROM server_state WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
}

bool claim_periodic_pass(SQLite::Database& db, const std::string& key, int64_t now, int64_t interval) {
    SQLite::Statement q(db,
                        "INSERT INTO server_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE "
                        "SET value = excluded.value WHERE CAST(server_state.value AS INTEGER) + ?3 <= ?2");
    q.bind(1, key);
    // Bound as an integer (stored as text by the column) so that the comparison is numeric.
    q.bind(2, now);
    q.bind(3, interval);
    return q.exec() > 0;
}

bool start_periodic_clock(SQLite::Database& db, const std::string& key, int64_t now) {
    SQLite::Statement q(db, "INSERT OR IGNORE INTO server_state (key, value) VALUES (?, ?)");
    q.bind(1, key);
    q.bind(2, std::to_string(now));
    return q.exec() > 0;
}

}  // namespace li::repo
