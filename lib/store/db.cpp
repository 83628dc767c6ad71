#include "store/db.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "store/schema.hpp"

namespace li {

namespace {

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void migrate(SQLite::Database& db) {
    auto migrations = schema_migrations();
    int current = user_version(db);
    if (current > static_cast<int>(migrations.size()))
        throw Error(ErrorCode::NotSupported,
                    fmt::format("the state database has schema version {}, newer than this libinstance ({})",
                                current, migrations.size()));
    for (size_t v = static_cast<size_t>(current); v < migrations.size(); v++) {
        // Each migration and its version bump commit together, so a crash never half-applies one.
        SQLite::Transaction tx(db);
        db.exec(std::string(migrations[v]));
        db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
        tx.commit();
    }
}

}  // namespace

Db::Db(const std::filesystem::path& file)
try : db_(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = NORMAL");
    db_.exec("PRAGMA foreign_keys = ON");
    db_.setBusyTimeout(5000);
    migrate(db_);
} catch (const SQLite::Exception& e) {
    throw Error(ErrorCode::Backend, fmt::format("opening the state database {}: {}", file.string(), e.what()));
}

int Db::schema_version() {
    return read([](SQLite::Database& db) { return user_version(db); });
}

}  // namespace li
