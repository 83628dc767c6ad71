// Instance snapshots on real containers, on the dir pool and a btrfs pool on a loop file: files,
// config and devices kept and restored, running and stopped, names, expiry, and refusals.
#include <doctest.h>

#include <filesystem>

#include "core/clock.hpp"
#include "integration/shared_manager.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_of(const std::vector<api::InstanceSnapshot>& snapshots) {
    std::vector<std::string> out;
    for (const auto& s : snapshots) out.push_back(s.name);
    return out;
}

api::InstanceSnapshot snap(Instance& c, const std::string& name = "", const std::string& expires_at = "") {
    api::InstanceSnapshotsPost post;
    post.name = name;
    post.expires_at = expires_at;
    return c.snapshot(post);
}

Instance launch_on(const std::string& name, const std::string& pool) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.start = true;
    post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    return shared().mgr->instances().create("default", post);
}

}  // namespace

TEST_CASE("instance snapshots keep files, config and devices; restore brings them back, running or stopped") {
    BtrfsPool bt("instsnapbt");
    for (const std::string& pool : std::vector<std::string>{"default", bt.name}) {
        CAPTURE(pool);
        Instance c = launch_on("snap-" + pool, pool);
        REQUIRE(sh_rc(c, "echo one > /root/f") == 0);
        auto first = snap(c);  // running: a stateless snapshot
        CHECK(first.name == "snap0");
        CHECK(first.expires_at.empty());
        CHECK(first.config.count("user.mark") == 0);

        c.set_config("user.mark", "two");
        c.add_device("extra", {{"type", "disk"}, {"source", "/tmp"}, {"path", "/mnt/tmp"}});
        REQUIRE(sh_rc(c, "echo two > /root/f && echo new > /root/g") == 0);
        auto second = snap(c, "second");
        CHECK(second.config.at("user.mark") == "two");
        CHECK(second.devices.count("extra") == 1);
        CHECK(second.expanded_devices.count("root") == 1);
        CHECK(names_of(c.snapshots()) == std::vector<std::string>{"snap0", "second"});
        if (pool == bt.name) {
            fs::path snapdir = bt.root() / "containers-snapshots" / c.name() / "second";
            CHECK(btrfs::is_subvolume(snapdir));
        }

        // Restore while running: stopped, restored, started again.
        c.restore("snap0");
        CHECK(c.state().status == "Running");
        CHECK(sh(c, "cat /root/f; ls /root") == "one\nf\n");
        CHECK_FALSE(c.get_config("user.mark"));
        CHECK(c.info().devices.count("extra") == 0);
        CHECK(c.info().config.count("volatile.idmap.current") == 1);  // the instance's own volatile keys stay

        force_stop(c);
        c.restore("second");
        CHECK(c.state().status == "Stopped");
        CHECK(c.get_config("user.mark") == std::optional<std::string>("two"));
        CHECK(c.info().devices.count("extra") == 1);
        c.start();
        CHECK(sh(c, "cat /root/f /root/g") == "two\nnew\n");

        // Refusals name what is wrong and change nothing.
        Error dup = error_of([&] { snap(c, "second"); });
        CHECK(dup.code() == ErrorCode::AlreadyExists);
        CHECK(dup.key() == "name");
        CHECK(error_of([&] { snap(c, "a/b"); }).key() == "name");
        CHECK(error_of([&] { snap(c, "x", "soon"); }).key() == "expires_at");
        api::InstanceSnapshotsPost stateful;
        stateful.stateful = true;
        Error criu = error_of([&] { c.snapshot(stateful); });
        CHECK(criu.code() == ErrorCode::NotSupported);
        CHECK(criu.key() == "stateful");
        Error missing = error_of([&] { c.restore("nope"); });
        CHECK(missing.code() == ErrorCode::NotFound);
        CHECK(missing.key() == "snapshot");
        CHECK(names_of(c.snapshots()) == std::vector<std::string>{"snap0", "second"});

        c.rename_snapshot("second", "kept");
        CHECK(error_of([&] { c.rename_snapshot("kept", "snap0"); }).key() == "new_name");
        c.update_snapshot("kept", api::InstanceSnapshotPut{"2030-01-01T00:00:00Z"});
        CHECK(c.get_snapshot("kept").expires_at == "2030-01-01T00:00:00Z");
        c.delete_snapshot("snap0");
        CHECK(names_of(c.snapshots()) == std::vector<std::string>{"kept"});
        CHECK(snap(c).name == "snap0");  // the pattern's next free number

        force_stop(c);
        c.remove();  // its snapshots go with it
        CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools" / pool / "containers-snapshots" / ("snap-" + pool)));
    }
}

TEST_CASE("instance snapshots: snapshots.pattern and snapshots.expiry name and date new snapshots") {
    Instance c = launch("snap-pattern", false);
    c.set_config("snapshots.pattern", "daily-%d");
    c.set_config("snapshots.expiry", "2d");
    auto s = snap(c);
    CHECK(s.name == "daily-0");
    auto created = rfc3339_to_epoch(s.created_at);
    auto expires = rfc3339_to_epoch(s.expires_at);
    REQUIRE(created);
    REQUIRE(expires);
    CHECK(*expires - *created >= 2 * 86400 - 2);
    CHECK(*expires - *created <= 2 * 86400 + 2);
    CHECK(snap(c, "", "2031-05-06T07:08:09Z").expires_at == "2031-05-06T07:08:09Z");  // an explicit expiry wins
    CHECK(snap(c).name == "daily-2");

    Error bad = error_of([&] { c.set_config("snapshots.expiry", "2 days"); });
    CHECK(bad.key() == "config.snapshots.expiry");
    c.remove();
}

TEST_CASE("instance snapshots: new instances from a snapshot, copies carry snapshots, moves keep them") {
    BtrfsPool bt("instsnapcp");
    for (const std::string& pool : std::vector<std::string>{"default", bt.name}) {
        CAPTURE(pool);
        Instance c = launch_on("cpsrc-" + pool, pool);
        REQUIRE(sh_rc(c, "echo old > /root/f && chown 5:6 /root/f") == 0);
        c.set_config("user.mark", "old");
        snap(c, "s0");
        REQUIRE(sh_rc(c, "echo new > /root/f && echo more > /root/g") == 0);
        c.set_config("user.mark", "new");

        // From a snapshot, while the source runs: the snapshot's files and config.
        api::InstancesPost from_snap;
        from_snap.name = "fromsnap-" + pool;
        from_snap.source.type = "copy";
        from_snap.source.source = c.name() + "/s0";
        Instance f = shared().mgr->instances().create("default", from_snap);
        CHECK(f.get_config("user.mark") == std::optional<std::string>("old"));
        CHECK(f.snapshots().empty());
        f.start();
        CHECK(sh(f, "cat /root/f; stat -c %u:%g /root/f; ls /root") == "old\n5:6\nf\n");
        force_stop(f);
        f.remove();

        api::InstancesPost missing = from_snap;
        missing.source.source = c.name() + "/nope";
        Error e = error_of([&] { shared().mgr->instances().create("default", missing); });
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(e.key() == "source.source");
        CHECK(error_of([&] { shared().mgr->instances().get("default", missing.name); }).code() == ErrorCode::NotFound);

        // A running source with snapshots is copied only with instance_only.
        api::InstancesPost copy;
        copy.name = "withsnaps-" + pool;
        copy.source.type = "copy";
        copy.source.source = c.name();
        CHECK(error_of([&] { shared().mgr->instances().create("default", copy); }).key() == "source.source");
        api::InstancesPost only = copy;
        only.name = "only-" + pool;
        only.source.instance_only = true;
        Instance o = shared().mgr->instances().create("default", only);
        CHECK(o.snapshots().empty());
        o.remove();

        force_stop(c);
        Instance w = shared().mgr->instances().create("default", copy);
        REQUIRE(names_of(w.snapshots()) == std::vector<std::string>{"s0"});
        CHECK(w.get_snapshot("s0").config.at("user.mark") == "old");
        CHECK(w.get_config("user.mark") == std::optional<std::string>("new"));
        w.restore("s0");
        w.start();
        CHECK(sh(w, "cat /root/f; stat -c %u:%g /root/f; ls /root") == "old\n5:6\nf\n");
        force_stop(w);
        w.remove();

        // A move to another pool takes the snapshots along.
        std::string other = pool == "default" ? bt.name : std::string("default");
        c.move_to_pool(other);
        REQUIRE(names_of(c.snapshots()) == std::vector<std::string>{"s0"});
        c.restore("s0");
        c.start();
        CHECK(sh(c, "cat /root/f; ls /root") == "old\nf\n");
        force_stop(c);
        c.remove();
    }
}
