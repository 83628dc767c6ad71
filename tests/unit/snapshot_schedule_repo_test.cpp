#include <doctest.h>

#include "store/db.hpp"
#include "store/instance_repo.hpp"
#include "store/project_repo.hpp"
#include "store/snapshot_schedule_repo.hpp"
#include "support/temp_state.hpp"

using namespace li;

namespace {

int64_t add_instance(Db& db, const std::string& project, const std::string& name) {
    InstanceRecord r;
    r.project = project;
    r.name = name;
    r.architecture = "x86_64";
    r.created_at = "now";
    return db.transaction([&](SQLite::Database& d) { return repo::insert_instance(d, r); });
}

bool claim(Db& db, int64_t id, int64_t minute) {
    return db.transaction([&](SQLite::Database& d) { return repo::claim_schedule_slot(d, id, minute); });
}

}  // namespace

TEST_CASE("a schedule slot is claimed once per instance; slots go with their instance and when old") {
    test::TempDir dir("li-db-slots");
    Db db(dir.path() / "local.db");
    db.transaction([](SQLite::Database& d) { return repo::insert_project(d, ProjectRecord{0, "other", "", {}}); });
    int64_t a = add_instance(db, "default", "a");
    int64_t b = add_instance(db, "other", "b");

    CHECK(claim(db, a, 1000));
    CHECK_FALSE(claim(db, a, 1000));
    CHECK(claim(db, b, 1000));  // per instance
    CHECK(claim(db, a, 1001));  // per minute

    auto all = db.read([](SQLite::Database& d) { return repo::list_all_instances(d); });
    REQUIRE(all.size() == 2);
    CHECK(all[0].project == "default");
    CHECK(all[0].name == "a");
    CHECK(all[1].project == "other");

    // Deleting the instance deletes its slots (a new instance may get its id back).
    db.transaction([&](SQLite::Database& d) { repo::delete_instance(d, a); });
    auto count = [&] {
        return db.read([](SQLite::Database& d) { return d.execAndGet("SELECT COUNT(*) FROM instances_snapshot_schedule_slots").getInt(); });
    };
    CHECK(count() == 1);

    CHECK(claim(db, b, 2000));
    db.transaction([](SQLite::Database& d) { repo::prune_schedule_slots(d, 2000); });
    CHECK(count() == 1);
    CHECK_FALSE(claim(db, b, 2000));
}
