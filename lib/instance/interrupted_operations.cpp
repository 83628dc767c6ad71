// Finishing what a killed process left half done (see interrupted_operations.hpp, core/intent.hpp).
#include "instance/interrupted_operations.hpp"

#include <filesystem>
#include <optional>
#include <set>

#include "core/intent.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/operation_state.hpp"
#include "instance/instance_loader.hpp"
#include "instance/instance_snapshots.hpp"
#include "libinstance/error.hpp"
#include "store/journal_repo.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

void remove_targets(ManagerCore& core, const std::string& json) {
    for (const auto& target : targets_from_json(json)) remove_target(core, target);
}

// A restore may have swapped the files in already: it is done again, whole, so that files and
// config agree. Gone instance or snapshot: nothing is left to finish.
void finish_restore(ManagerCore& core, const JournalRecord& r) {
    std::optional<InstanceContext> ctx;
    try {
        ctx.emplace(context_of(core, r.project, r.subject));
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) return;
        throw;
    }
    OperationContext op;
    try {
        restore_instance_snapshot(core, *ctx, r.detail, op);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound && e.key() == "snapshot") return;
        throw;
    }
}

// Image files are stored before their row (image/image_add.cpp): files that no row names, and
// half-copied *.importing ones, are what an interrupted import left.
void remove_unrecorded_image_files(ManagerCore& core) {
    std::set<std::string> recorded = core.db().read([](SQLite::Database& db) {
        std::set<std::string> out;
        SQLite::Statement q(db, "SELECT DISTINCT fingerprint FROM images");
        while (q.executeStep()) out.insert(q.getColumn(0).getString());
        return out;
    });
    std::error_code ec;
    for (fs::directory_iterator it(core.images_dir(), ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        std::string fingerprint = name.ends_with(".rootfs") ? name.substr(0, name.size() - 7) : name;
        if (!it->is_regular_file() || (!name.ends_with(".importing") && recorded.count(fingerprint))) continue;
        std::error_code rm;
        fs::remove(it->path(), rm);
        log::warn("removed an image file no image record names (an interrupted import)", {{"path", it->path().string()}});
    }
}

}  // namespace

void finish_interrupted_operations(ManagerCore& core) noexcept {
    std::vector<JournalRecord> rows;
    try {
        rows = core.db().read([](SQLite::Database& db) { return repo::list_journal(db); });
    } catch (const std::exception& e) {
        log::error("reading the operations journal", {{"error", e.what()}});
        return;
    }
    for (const auto& r : rows) {
        try {
            if (r.kind == "instance.restore" && r.phase == "started")
                finish_restore(core, r);
            else
                remove_targets(core, r.phase == "committed" ? r.cleanup : r.undo);
            core.db().transaction([&](SQLite::Database& db) { repo::delete_journal(db, r.id); });
            log::warn("an interrupted operation was put right",
                      {{"operation", r.kind}, {"project", r.project}, {"subject", r.subject}, {"phase", r.phase},
                       {"started_at", r.started_at}});
        } catch (const std::exception& e) {
            log::error("an interrupted operation could not be put right; the next open retries",
                       {{"operation", r.kind}, {"subject", r.subject}, {"error", e.what()}});
        }
    }
    try {
        remove_unrecorded_image_files(core);
    } catch (const std::exception& e) {
        log::warn("removing unrecorded image files", {{"error", e.what()}});
    }
    for (const auto& name : core.pool_names()) {
        try {
            core.pool(name).remove_staging_leftovers();
        } catch (const std::exception& e) {
            log::warn("removing staging leftovers", {{"pool", name}, {"error", e.what()}});
        }
    }
}

}  // namespace li
