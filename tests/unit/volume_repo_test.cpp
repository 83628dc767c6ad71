// Custom volumes in the store: a state database from before them gains the tables, keeping its
// pools; rows are unique per pool, project, type and name; a pool holding volumes cannot be
// dropped from under them.
#include <doctest.h>

#include "store/db.hpp"
#include "store/profile_repo.hpp"
#include "store/project_repo.hpp"
#include "store/schema.hpp"
#include "store/volume_repo.hpp"
#include "support/temp_state.hpp"

using namespace li;

TEST_CASE("an existing state database (schema 3) migrates to custom volumes, keeping its pools") {
    test::TempDir dir("li-db-vol");
    auto file = dir.path() / "local.db";
    {
        SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        auto migrations = schema_migrations();
        REQUIRE(migrations.size() >= 4);
        for (size_t v = 0; v < 3; v++) raw.exec(std::string(migrations[v]));
        raw.exec("PRAGMA user_version = 3");
        raw.exec("INSERT INTO storage_pools (name, driver) VALUES ('old', 'dir')");
    }
    Db db(file);
    CHECK(db.schema_version() == static_cast<int>(schema_migrations().size()));
    db.transaction([](SQLite::Database& d) {
        auto pool = repo::find_pool(d, "old");
        REQUIRE(pool);
        // A project with volumes of its own (an unknown project is refused by every lookup).
        repo::insert_project(d, ProjectRecord{0, "other", "", {{"features.storage.volumes", "true"}}});
        VolumeRecord v;
        v.pool_id = pool->id;
        v.project = "default";
        v.name = "data";
        v.config = {{"user.x", "1"}};
        v.id = repo::insert_volume(d, v);
        auto found = repo::find_volume(d, pool->id, "default", "custom", "data");
        REQUIRE(found);
        CHECK(found->config == api::ConfigMap{{"user.x", "1"}});
        CHECK_FALSE(repo::find_volume(d, pool->id, "other", "custom", "data"));
        // Same name in another project is another volume; twice in one project is refused.
        VolumeRecord other = v;
        other.project = "other";
        repo::insert_volume(d, other);
        CHECK_THROWS(repo::insert_volume(d, v));
        CHECK(repo::volumes_on_pool(d, "old").size() == 2);
        // ON DELETE RESTRICT: the pool row stays while volumes are on it.
        CHECK_THROWS(d.exec("DELETE FROM storage_pools WHERE name = 'old'"));
        repo::rename_volume(d, found->id, "data2");
        CHECK(repo::list_volumes(d, pool->id, "default").at(0).name == "data2");
    });
}
