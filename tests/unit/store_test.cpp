#include <doctest.h>

#include "libinstance/error.hpp"
#include "store/db.hpp"
#include "store/instance_repo.hpp"
#include "store/profile_repo.hpp"
#include "store/schema.hpp"
#include "store/server_state_repo.hpp"
#include "support/temp_state.hpp"

using namespace li;

TEST_CASE("a new database gets every migration and WAL mode") {
    test::TempDir dir("li-db");
    Db db(dir.path() / "local.db");
    CHECK(db.schema_version() == static_cast<int>(schema_migrations().size()));
    auto mode = db.read([](SQLite::Database& d) { return d.execAndGet("PRAGMA journal_mode").getString(); });
    CHECK(mode == "wal");
}

TEST_CASE("a database from a newer libinstance is refused") {
    test::TempDir dir("li-db-new");
    {
        SQLite::Database raw((dir.path() / "local.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec("PRAGMA user_version = 999");
    }
    try {
        Db db(dir.path() / "local.db");
        FAIL("opened");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotSupported);
        CHECK(std::string(e.what()).find("999") != std::string::npos);
    }
}

TEST_CASE("an instance row round-trips with config, devices and ordered profiles; a failed insert leaves nothing") {
    test::TempDir dir("li-db-rt");
    Db db(dir.path() / "local.db");
    db.transaction([](SQLite::Database& d) {
        for (const char* name : {"default", "extra"}) {
            ProfileRecord p;
            p.project = "default";
            p.name = name;
            repo::insert_profile(d, p);
        }
    });
    InstanceRecord r;
    r.project = "default";
    r.name = "c1";
    r.architecture = "x86_64";
    r.created_at = "now";
    r.config = {{"user.a", "1"}};
    r.devices = {{"root", {{"type", "disk"}, {"path", "/"}}}};
    r.profiles = {"extra", "default"};
    db.transaction([&](SQLite::Database& d) { repo::insert_instance(d, r); });
    auto back = db.read([](SQLite::Database& d) { return repo::find_instance(d, "default", "c1"); });
    REQUIRE(back);
    CHECK(back->config == r.config);
    CHECK(back->devices == r.devices);
    CHECK(back->profiles == r.profiles);

    r.name = "c2";
    r.profiles = {"default", "nope"};
    CHECK_THROWS_AS(db.transaction([&](SQLite::Database& d) { repo::insert_instance(d, r); }), Error);
    CHECK_FALSE(db.read([](SQLite::Database& d) { return repo::find_instance(d, "default", "c2"); }));
}

TEST_CASE("a periodic pass is claimed once per interval, and the clock never goes back") {
    test::TempDir dir("li-db-periodic");
    Db db(dir.path() / "local.db");
    auto claim = [&](int64_t now) {
        return db.transaction([&](SQLite::Database& d) { return repo::claim_periodic_pass(d, "job", now, 100); });
    };
    bool started = db.transaction([](SQLite::Database& d) { return repo::start_periodic_clock(d, "job", 1000); });
    CHECK(started);
    CHECK_FALSE(db.transaction([](SQLite::Database& d) { return repo::start_periodic_clock(d, "job", 5000); }));
    CHECK_FALSE(claim(1099));
    CHECK_FALSE(claim(500));  // an earlier clock does not move the last pass back
    CHECK(claim(1100));
    CHECK_FALSE(claim(1100));  // the same pass is claimed once
    CHECK_FALSE(claim(1199));
    // Large numbers compare as numbers, not as text ("10000" < "9999").
    CHECK(claim(9999));
    CHECK(claim(10100));
    auto last = db.read([](SQLite::Database& d) { return repo::get_server_state(d, "job"); });
    REQUIRE(last);
    CHECK(*last == "10100");
    CHECK_FALSE(db.read([](SQLite::Database& d) { return repo::get_server_state(d, "other"); }));
}
