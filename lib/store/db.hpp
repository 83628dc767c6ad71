#pragma once
// li::Db: the SQLite state database (WAL, ordered migrations), one connection behind a mutex.

#include <SQLiteCpp/SQLiteCpp.h>
#include <filesystem>
#include <functional>
#include <mutex>

namespace li {

class Db {
public:
    /// Opens (creating) the database and applies pending migrations.
    explicit Db(const std::filesystem::path& file);

    /// Runs fn with the connection inside one transaction; rolled back if fn throws.
    template <typename Fn>
    auto transaction(Fn&& fn) -> decltype(fn(std::declval<SQLite::Database&>())) {
        std::lock_guard lock(mutex_);
        SQLite::Transaction tx(db_);
        if constexpr (std::is_void_v<decltype(fn(db_))>) {
            fn(db_);
            tx.commit();
        } else {
            auto result = fn(db_);
            tx.commit();
            return result;
        }
    }

    /// Runs fn with the connection for reads (no explicit transaction).
    template <typename Fn>
    auto read(Fn&& fn) -> decltype(fn(std::declval<SQLite::Database&>())) {
        std::lock_guard lock(mutex_);
        return fn(db_);
    }

    /// The schema version after migrations.
    int schema_version();

private:
    std::mutex mutex_;
    SQLite::Database db_;
};

}  // namespace li
