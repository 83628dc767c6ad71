#pragma once
// li::Intent: the journal entry that makes a multi-step operation crash-safe.
//
// Before an operation touches any volume it writes (commits) a journal row naming what it will
// make: its undo list. It makes its volumes, then writes its result in one database transaction
// that also marks the row committed, naming what is left to remove (its cleanup list: e.g. the
// volume of a deleted instance, the old volume of a move). Then the cleanups run and the row goes.
// A process killed at any point therefore leaves either a started row (the next open removes what
// the undo list names: the half-made volumes, which no record points at) or a committed row (the
// next open finishes the cleanups: what no record points at any more). Nothing a record points at
// is ever in either list, so no record ends up pointing at nothing.

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "storage/storage_driver.hpp"

namespace li {

class ManagerCore;

/// A volume, or one snapshot of it, on a pool.
struct VolumeTarget {
    std::string pool;
    VolumeType type = VolumeType::Container;
    std::string volume;
    std::string snapshot;  ///< "" the volume itself (with its snapshots)
};

class Intent {
public:
    /// Writes the journal row (phase "started") before the operation makes anything.
    Intent(ManagerCore& core, std::string kind, std::string project, std::string subject, std::vector<VolumeTarget> undo,
           std::string detail = {});
    Intent(const Intent&) = delete;
    Intent& operator=(const Intent&) = delete;
    /// Not committed (the operation failed): removes what the undo list names, and the row when
    /// that worked (else the next open retries). Committed: runs the cleanups, then drops the row.
    ~Intent();

    /// Call inside the transaction that records the operation's result.
    void commit(SQLite::Database& db, std::vector<VolumeTarget> cleanup = {});

    /// After commit, while the caller still holds the lock on the volume's name: renames the
    /// cleanup's volume `target` to "<volume>.deleting-<journal id>" (the journal then names that)
    /// and leaves the cleanups to the core's background thread (core/deferred_cleanups.hpp), so
    /// the operation ends without waiting for the files to go. False (nothing changed: the
    /// cleanups run inline as usual) when the pool cannot rename it.
    bool set_aside(const VolumeTarget& target);

private:
    ManagerCore& core_;
    int64_t id_ = 0;
    std::vector<VolumeTarget> undo_;
    std::vector<VolumeTarget> cleanup_;
    bool committed_ = false;
    bool in_background_ = false;
};

/// Removes targets, then drops the journal row journal_id; on a failure (logged with why) the
/// row stays for the next open to finish.
void finish_cleanup(ManagerCore& core, int64_t journal_id, const std::vector<VolumeTarget>& targets, const char* why);

/// Removes a volume or snapshot when it exists (the pool gone: nothing to do). Throws on failure.
void remove_target(ManagerCore& core, const VolumeTarget& target);

std::string targets_to_json(const std::vector<VolumeTarget>& targets);
std::vector<VolumeTarget> targets_from_json(const std::string& json);

}  // namespace li
