// The operations journal's entries (see intent.hpp).
#include "core/intent.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
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

Intent::~Intent() {
    bool clean = committed_ ? remove_all(core_, cleanup_, "cleaning up after an operation failed; the next open retries")
                            : remove_all(core_, undo_, "undoing a failed operation failed; the next open retries");
    if (!clean) return;
    try {
        core_.db().transaction([&](SQLite::Database& db) { repo::delete_journal(db, id_); });
    } catch (const std::exception& e) {
        log::warn("could not drop a journal entry; the next open does", {{"error", e.what()}});
    }
}

}  // namespace li
