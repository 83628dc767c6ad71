#include <doctest.h>
#include <string>

#include "integration/shared_manager.hpp"
#include "sys/cgroup.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

// Runs fn, which must throw li::Error with `code`, whose message names `needle` (and key, if given).
template <typename Fn>
void expect_error(Fn&& fn, ErrorCode code, const std::string& needle, const std::string& key = {}) {
    try {
        fn();
        FAIL("no error for ", needle);
    } catch (const Error& e) {
        CHECK_MESSAGE(e.code() == code, e.what());
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
        if (!key.empty()) CHECK(e.key() == key);
    }
}

void expect_nothing_left(const std::string& name) {
    CHECK_FALSE(instance_exists(name));
    CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools/default/containers" / name));
    CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools/default/containers" / (name + ".creating")));
    CHECK_FALSE(lxc_cgroups_exist(name));
}

api::InstancesPost post_for(const std::string& name, const std::string& image = "busybox") {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = image;
    return post;
}

}  // namespace

TEST_CASE("create from an unknown image fails with NotFound and leaves nothing") {
    expect_error([] { shared().mgr->instances().create("default", post_for("noimg", "no-such-image")); },
                 ErrorCode::NotFound, "no-such-image");
    expect_nothing_left("noimg");
}

TEST_CASE("create with a duplicate name fails with AlreadyExists") {
    launch("dup1", false);
    expect_error([] { shared().mgr->instances().create("default", post_for("dup1")); }, ErrorCode::AlreadyExists,
                 "dup1", "name");
    shared().mgr->instances().get("default", "dup1").remove();
}

TEST_CASE("invalid instance names are refused naming the value") {
    for (std::string name : std::vector<std::string>{"../x", "a b", "", "-lead", "trail-", "9lives", std::string(64, 'a'), "x/y"}) {
        CAPTURE(name);
        expect_error([&] { shared().mgr->instances().create("default", post_for(name)); }, ErrorCode::InvalidArgument,
                     "\"" + name + "\"", "name");
    }
    CHECK(shared().mgr->instances().list("default").empty());
    CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools/default/x"));
}

TEST_CASE("bad config, unknown profile and a container image for a VM are refused before anything is made") {
    auto bad_key = post_for("badcfg");
    bad_key.config["no.such.key"] = "1";
    expect_error([&] { shared().mgr->instances().create("default", bad_key); }, ErrorCode::InvalidArgument,
                 "no.such.key", "config.no.such.key");
    expect_nothing_left("badcfg");

    auto bad_profile = post_for("badprof");
    bad_profile.profiles = std::vector<std::string>{"default", "missing-profile"};
    expect_error([&] { shared().mgr->instances().create("default", bad_profile); }, ErrorCode::NotFound,
                 "missing-profile", "profiles");
    expect_nothing_left("badprof");

    auto vm = post_for("vm1");
    vm.type = "virtual-machine";
    expect_error([&] { shared().mgr->instances().create("default", vm); }, ErrorCode::InvalidArgument, "container image", "source");
    expect_nothing_left("vm1");
}

TEST_CASE("lifecycle calls in the wrong state are Conflicts naming the instance") {
    Instance c = launch("state1", false);
    expect_error([&] { c.exec({"true"}); }, ErrorCode::Conflict, "state1");
    expect_error([&] { c.stop(); }, ErrorCode::Conflict, "state1");
    c.start();
    expect_error([&] { c.start(); }, ErrorCode::Conflict, "state1");
    expect_error([&] { c.remove(); }, ErrorCode::Conflict, "state1");
    CHECK(c.state().status == "Running");  // the refused delete changed nothing
    DeleteOptions del;
    del.force = true;
    c.remove(del);
    expect_nothing_left("state1");
    expect_error([&] { c.start(); }, ErrorCode::NotFound, "state1");
}

TEST_CASE("stateful start is NotSupported, not faked") {
    Instance c = launch("stateful1", false);
    StartOptions opts;
    opts.stateful = true;
    expect_error([&] { c.start(opts); }, ErrorCode::NotSupported, "CRIU");
    c.remove();
}

TEST_CASE("a state directory below a directory containers cannot traverse gives a clear error on start") {
    TempDir parent("li-private");  // mkdtemp makes it 0700
    auto mgr = open_with_busybox(parent.path() / "state");
    api::InstancesPost post = post_for("priv1");
    Instance c = mgr->instances().create("default", post);
    expect_error([&] { c.start(); }, ErrorCode::PermissionDenied, parent.path().string(), "state_dir");
    CHECK(c.state().status == "Stopped");
    c.remove();
}
