#include <doctest.h>
#include <cstdlib>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

TEST_CASE("a second opener of a state directory gets Busy naming the directory") {
    try {
        Manager::open(shared().dir.path());
        FAIL("second open succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Busy);
        CHECK(std::string(e.what()).find(shared().dir.path().string()) != std::string::npos);
    }
}

TEST_CASE("the state directory comes from LIBINSTANCE_DIR, else /var/lib/libinstance") {
    ::setenv("LIBINSTANCE_DIR", "/tmp/li-env-dir", 1);
    CHECK(Manager::default_state_dir() == "/tmp/li-env-dir");
    ::unsetenv("LIBINSTANCE_DIR");
    CHECK(Manager::default_state_dir() == "/var/lib/libinstance");
}

TEST_CASE("state survives closing and reopening; the lock is released on close") {
    TempDir dir("li-reopen");
    {
        auto mgr = open_with_busybox(dir.path());
        api::InstancesPost post;
        post.name = "keep1";
        post.source.alias = "busybox";
        mgr->instances().create("default", post);
    }
    auto mgr = Manager::open(dir.path());
    auto list = mgr->instances().list("default");
    REQUIRE(list.size() == 1);
    CHECK(list[0].name == "keep1");
    CHECK(list[0].status == "Stopped");
    CHECK(fs::exists(dir.path() / "database/local.db"));
    CHECK(fs::exists(dir.path() / "database/local.db-wal"));  // WAL mode
    mgr->instances().get("default", "keep1").remove();
}
