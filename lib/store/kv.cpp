#include "store/kv.hpp"

#include <fmt/format.h>

namespace li::kv {

// Table and column names come from this library only, never from callers' input.

api::ConfigMap load_config(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id) {
    api::ConfigMap out;
    SQLite::Statement q(db, fmt::format("SELECT key, value FROM {} WHERE {} = ?", table, owner_column));
    q.bind(1, id);
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getString();
    return out;
}

void store_config(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id,
                  const api::ConfigMap& config) {
    SQLite::Statement del(db, fmt::format("DELETE FROM {} WHERE {} = ?", table, owner_column));
    del.bind(1, id);
    del.exec();
    SQLite::Statement ins(db, fmt::format("INSERT INTO {} ({}, key, value) VALUES (?, ?, ?)", table, owner_column));
    for (const auto& [key, value] : config) {
        ins.bind(1, id);
        ins.bind(2, key);
        ins.bind(3, value);
        ins.exec();
        ins.reset();
    }
}

api::DeviceMap load_devices(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id) {
    api::DeviceMap out;
    SQLite::Statement q(db, fmt::format("SELECT device, key, value FROM {} WHERE {} = ?", table, owner_column));
    q.bind(1, id);
    while (q.executeStep()) out[q.getColumn(0).getString()][q.getColumn(1).getString()] = q.getColumn(2).getString();
    return out;
}

void store_devices(SQLite::Database& db, const std::string& table, const std::string& owner_column, int64_t id,
                   const api::DeviceMap& devices) {
    SQLite::Statement del(db, fmt::format("DELETE FROM {} WHERE {} = ?", table, owner_column));
    del.bind(1, id);
    del.exec();
    SQLite::Statement ins(db, fmt::format("INSERT INTO {} ({}, device, key, value) VALUES (?, ?, ?, ?)", table, owner_column));
    for (const auto& [device, config] : devices) {
        for (const auto& [key, value] : config) {
            ins.bind(1, id);
            ins.bind(2, device);
            ins.bind(3, key);
            ins.bind(4, value);
            ins.exec();
            ins.reset();
        }
    }
}

}  // namespace li::kv
