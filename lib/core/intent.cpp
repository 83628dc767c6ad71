// The operations journal's entries (see intent.hpp).
#include "core/intent.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/deferred_cleanups.hpp"
#include "core/failpoint.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "store/journal_repo.hpp"
#include "storage/volume_layout.hpp"

namespace li {

namespace {

VolumeType type_named(const std::string& name) {
    if (name == "image") return VolumeType::Image;
    if (name == "custom") return VolumeType::Custom;
    return VolumeType::Container;
}

const char* type_name(VolumeType type) {
    switch (type) {
        case VolumeType::Image: return "image";
        case VolumeType::Custom: return "custom";
        case VolumeType::Container: break;
    }
    return "container";
}

bool remove_all(ManagerCore& core, const std::vector<VolumeTarget>& targets, const char* why) {
    bool all = true;
    for (const auto& t : targets) {
        try {
            remove_target(core, t);
        } catch (const std::exception& e) {
            all = false;
            log::warn(why, {{"pool", t.pool}, {"volume", t.volume}, {"snapshot", t.snapshot}, {"error", e.what()}});
        }
    }
    return all;
}

}  // namespace

void remove_target(ManagerCore& core, const VolumeTarget& t) {
    StorageDriver* pool = nullptr;
    try {
        pool = &core.pool(t.pool);
    } catch (const Error&) {
        return;  // the pool is gone, and its volumes with it
    }
    VolumeRef vol{t.type, t.volume};
    if (!pool->volume_exists(vol)) return;
    if (t.snapshot.empty()) {
        pool->unmount_volume(vol);
        pool->delete_volume(vol);
        return;
    }
    auto snapshots = pool->list_snapshots(vol);
    if (std::find(snapshots.begin(), snapshots.end(), t.snapshot) != snapshots.end()) pool->delete_snapshot(vol, t.snapshot);
}

std::string targets_to_json(const std::vector<VolumeTarget>& targets) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : targets)
        out.push_back({{"pool", t.pool}, {"type", type_name(t.type)}, {"volume", t.volume}, {"snapshot", t.snapshot}});
    return out.dump();
}

std::vector<VolumeTarget> targets_from_json(const std::string& json) {
    std::vector<VolumeTarget> out;
    auto doc = nlohmann::json::parse(json, nullptr, false);
    if (!doc.is_array()) return out;
    for (const auto& t : doc)
        out.push_back({t.value("pool", ""), type_named(t.value("type", "")), t.value("volume", ""), t.value("snapshot", "")});
    return out;
}

Intent::Intent(ManagerCore& core, std::string kind, std::string project, std::string subject, std::vector<VolumeTarget> undo,
               std::string detail)
    : core_(core), undo_(std::move(undo)) {
    JournalRecord r;
    r.kind = std::move(kind);
    r.project = std::move(project);
    r.subject = std::move(subject);
    r.phase = "started";
    r.undo = targets_to_json(undo_);
    r.detail = std::move(detail);
    r.started_at = now_rfc3339();
    id_ = core_.db().transaction([&](SQLite::Database& db) { return repo::insert_journal(db, r); });
}

void Intent::commit(SQLite::Database& db, std::vector<VolumeTarget> cleanup) {
    cleanup_ = std::move(cleanup);
    repo::commit_journal(db, id_, targets_to_json(cleanup_));
    committed_ = true;
}

bool Intent::set_aside(const VolumeTarget& target) {
    auto it = std::find_if(cleanup_.begin(), cleanup_.end(), [&](const VolumeTarget& t) {
        return t.pool == target.pool && t.type == target.type && t.volume == target.volume && t.snapshot.empty();
    });
    if (!committed_ || it == cleanup_.end()) return false;
    VolumeTarget aside = target;
    aside.volume = fmt::format("{}.deleting-{}", target.volume, id_);
    auto record = [&](const std::vector<VolumeTarget>& targets) {
        core_.db().transaction([&](SQLite::Database& db) { repo::commit_journal(db, id_, targets_to_json(targets)); });
    };
    // The journal names both names while the rename happens, so a crash at any point leaves
    // nothing behind. Then, before the caller lets the name go, only the new one: a crash must
    // never make the next open remove a new volume of the old name.
    std::vector<VolumeTarget> both = cleanup_;
    both.push_back(aside);
    try {
        StorageDriver& pool = core_.pool(target.pool);
        VolumeRef vol{target.type, target.volume};
        if (!pool.volume_exists(vol)) return false;
        record(both);
        LI_FAILPOINT("intent.set_aside.recorded");
        pool.unmount_volume(vol);
        pool.rename_volume(vol, aside.volume);
    } catch (const std::exception& e) {
        log::debug("a volume could not be set aside; it is removed at once", {{"volume", target.volume}, {"error", e.what()}});
        return false;
    }
    LI_FAILPOINT("intent.set_aside.renamed");
    *it = aside;
    record(cleanup_);
    in_background_ = true;
    return true;
}

Intent::~Intent() {
    if (committed_ && in_background_) {
        core_.deferred_cleanups().add(id_, cleanup_);
        return;
    }
    finish_cleanup(core_, id_, committed_ ? cleanup_ : undo_,
                   committed_ ? "cleaning up after an operation failed; the next open retries"
                              : "undoing a failed operation failed; the next open retries");
}

void finish_cleanup(ManagerCore& core, int64_t journal_id, const std::vector<VolumeTarget>& targets, const char* why) {
    if (!remove_all(core, targets, why)) return;
    try {
        core.db().transaction([&](SQLite::Database& db) { repo::delete_journal(db, journal_id); });
    } catch (const std::exception& e) {
        log::warn("could not drop a journal entry; the next open does", {{"error", e.what()}});
    }
}

}  // namespace li
