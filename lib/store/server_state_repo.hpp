#pragma once
// The server_state table: what the manager's periodic jobs remember between passes, shared by
// every process that opens the same state directory.

#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

namespace li::repo {

/// The value recorded under key, if any.
std::optional<std::string> get_server_state(SQLite::Database& db, const std::string& key);

/// Claims a periodic job's pass at now (seconds since the epoch): true, with now recorded under
/// key, when no pass was recorded or the last one is at least interval seconds before now; false
/// (nothing written) otherwise. One statement, so that of two processes racing for the same pass
/// one only wins.
bool claim_periodic_pass(SQLite::Database& db, const std::string& key, int64_t now, int64_t interval);

/// Records now under key unless a pass is recorded already; true when it wrote.
bool start_periodic_clock(SQLite::Database& db, const std::string& key, int64_t now);

}  // namespace li::repo
