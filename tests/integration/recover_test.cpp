// Disaster recovery on real containers: the database file is deleted, and recover_validate /
// recover_import rebuild instances, snapshots and custom volumes (with their snapshots) on the
// dir pool and a loop-backed btrfs pool from the backup.yaml each volume keeps.
#include <doctest.h>

#include <algorithm>
#include <filesystem>

#include "integration/shared_manager.hpp"
#include "support/temp_state.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

bool lists(const RecoverResult& r, const std::string& pool, const std::string& type, const std::string& name, int64_t snapshots) {
    return std::any_of(r.unknown_volumes.begin(), r.unknown_volumes.end(), [&](const RecoverVolume& v) {
        return v.pool == pool && v.type == type && v.name == name && v.project == "default" && v.snapshot_count == snapshots;
    });
}

void make_volume(Manager& mgr, const std::string& pool, const std::string& name, const std::string& description) {
    api::StorageVolumesPost post;
    post.name = name;
    post.description = description;
    mgr.storage_volumes().create(pool, post);
    api::StorageVolumeSnapshotsPost snap;
    snap.name = "vs0";
    mgr.storage_volumes().create_snapshot(pool, name, snap);
}

Instance make_instance(Manager& mgr, const std::string& name, const std::string& pool, const std::string& volume,
                       const std::string& volume_pool) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.start = true;
    post.profiles = std::vector<std::string>{"default", "recovered-extra"};
    post.config["user.mark"] = name;
    post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    post.devices["data"] = {{"type", "disk"}, {"path", "/data"}, {"pool", volume_pool}, {"source", volume}};
    Instance c = mgr.instances().create("default", post);
    auto wrote = c.exec({"sh", "-c", "echo " + name + " > /root/f && echo vol-" + name + " > /data/v"});
    CAPTURE(wrote.stderr_data);
    REQUIRE(wrote.exit_code == 0);
    api::InstanceSnapshotsPost snap;
    snap.name = "s0";
    c.snapshot(snap);
    REQUIRE(sh_rc(c, "echo later > /root/after") == 0);
    force_stop(c);
    return c;
}

void make_profile(Manager& mgr) {
    api::ProfilesPost profile;
    profile.name = "recovered-extra";
    profile.config["user.from-profile"] = "yes";
    mgr.profiles().create("default", profile);
}

}  // namespace

TEST_CASE("recovery after the database is lost brings back instances, snapshots and custom volumes on dir and btrfs") {
    if (!can_run_containers()) return;
    TempDir dir("li-recover");
    {
        auto mgr = open_with_busybox(dir.path());
        api::StoragePoolsPost bt;
        bt.name = "recbt";
        bt.driver = "btrfs";
        bt.description = "loop pool";
        bt.config = {{"size", "512MiB"}};
        mgr->storage_pools().create(bt);
        make_profile(*mgr);
        make_volume(*mgr, "default", "vol-dir", "on dir");
        make_volume(*mgr, "recbt", "vol-bt", "on btrfs");
        make_instance(*mgr, "rc-dir", "default", "vol-dir", "default");
        make_instance(*mgr, "rc-bt", "recbt", "vol-bt", "recbt");
        CHECK(fs::exists(dir.path() / "storage-pools" / "default" / "containers" / "rc-dir" / "backup.yaml"));
        CHECK(mgr->recover_validate().unknown_volumes.empty());  // the database knows everything
    }
    for (const char* file : {"local.db", "local.db-wal", "local.db-shm"}) fs::remove(dir.path() / "database" / file);

    auto mgr = Manager::open(dir.path());
    CHECK(mgr->instances().list("default").empty());
    RecoverResult found = mgr->recover_validate();
    CHECK(found.unknown_pools == std::vector<std::string>{"recbt"});
    CHECK(found.unknown_volumes.size() == 4);
    CHECK(lists(found, "default", "container", "rc-dir", 1));
    CHECK(lists(found, "recbt", "container", "rc-bt", 1));
    CHECK(lists(found, "default", "custom", "vol-dir", 1));
    CHECK(lists(found, "recbt", "custom", "vol-bt", 1));
    REQUIRE(found.dependency_errors.size() == 2);  // the profile is gone with the database
    CHECK(found.dependency_errors[0].find("profile \"recovered-extra\"") != std::string::npos);
    // Validation changed nothing.
    CHECK(mgr->storage_pools().list().size() == 1);

    Error refused = error_of([&] { mgr->recover_import(); });
    CHECK(refused.code() == ErrorCode::InvalidArgument);
    CHECK(refused.key() == "dependencies");
    CHECK(mgr->instances().list("default").empty());

    make_profile(*mgr);
    CHECK(mgr->recover_validate().dependency_errors.empty());
    RecoverResult imported = mgr->recover_import();
    CHECK(imported.unknown_volumes.size() == 4);

    api::StoragePool pool = mgr->storage_pools().get("recbt");
    CHECK(pool.driver == "btrfs");
    CHECK(pool.description == "loop pool");
    CHECK(pool.config.at("size") == "512MiB");
    for (const auto& [pool_name, volume] : std::vector<std::pair<std::string, std::string>>{{"default", "vol-dir"}, {"recbt", "vol-bt"}}) {
        CAPTURE(volume);
        api::StorageVolume v = mgr->storage_volumes().get(pool_name, "custom", volume);
        CHECK(v.description == (pool_name == "default" ? "on dir" : "on btrfs"));
        auto snaps = mgr->storage_volumes().list_snapshots(pool_name, volume);
        REQUIRE(snaps.size() == 1);
        CHECK(snaps[0].name == "vs0");
    }
    for (const std::string& name : {"rc-dir", "rc-bt"}) {
        CAPTURE(name);
        Instance c = mgr->instances().get("default", name);
        api::Instance info = c.info();
        CHECK(info.config.at("user.mark") == name);
        CHECK(info.expanded_config.at("user.from-profile") == "yes");
        CHECK(info.profiles == std::vector<std::string>{"default", "recovered-extra"});
        CHECK(info.devices.at("data").at("path") == "/data");
        auto snaps = c.snapshots();
        REQUIRE(snaps.size() == 1);
        CHECK(snaps[0].name == "s0");
        CHECK(snaps[0].config.at("user.mark") == name);
        c.start();
        CHECK(sh(c, "cat /root/f /root/after /data/v") == name + "\nlater\nvol-" + name + "\n");
        force_stop(c);
        c.restore("s0");
        c.start();
        CHECK(sh_rc(c, "test -e /root/after") != 0);  // the snapshot's files are the recovered ones
        CHECK(sh(c, "cat /root/f") == name + "\n");
        force_stop(c);
    }
    RecoverResult again = mgr->recover_validate();
    CHECK(again.unknown_pools.empty());
    CHECK(again.unknown_volumes.empty());

    for (const std::string& name : {"rc-dir", "rc-bt"}) mgr->instances().get("default", name).remove();
    mgr->storage_volumes().remove("default", "vol-dir");
    mgr->storage_volumes().remove("recbt", "vol-bt");
    mgr->storage_pools().remove("recbt");
}

TEST_CASE("recovery refuses a pool it cannot use, naming it") {
    if (!can_run_containers()) return;
    TempDir dir("li-recover-bad");
    auto mgr = Manager::open(dir.path());
    RecoverOptions opts;
    api::StoragePoolsPost post;
    post.name = "../x";
    post.driver = "dir";
    opts.pools.push_back(post);
    Error bad = error_of([&] { mgr->recover_validate(opts); });
    CHECK(bad.code() == ErrorCode::InvalidArgument);
    CHECK(bad.key() == "pools[0].name");
    opts.pools[0].name = "nodriver";
    opts.pools[0].driver = "";
    CHECK(error_of([&] { mgr->recover_validate(opts); }).key() == "pools[0].driver");
    opts.pools[0].driver = "zfs-not-here";
    CHECK(error_of([&] { mgr->recover_validate(opts); }).key() == "pools[0].driver");
    CHECK(mgr->storage_pools().list().size() == 1);
}
