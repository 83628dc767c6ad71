// Instance copy (same pool and to a btrfs pool on a loop file), rename and move between pools,
// on real containers: the copy's files and config, its independence, and refusals that change nothing.
#include <doctest.h>
#include <filesystem>

#include "integration/shared_manager.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

api::InstancesPost copy_of(const std::string& source, const std::string& name, const std::string& pool = {}) {
    api::InstancesPost post;
    post.name = name;
    post.source.type = "copy";
    post.source.source = source;
    if (!pool.empty()) post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    return post;
}

}  // namespace

TEST_CASE("copy on the same pool: files and config come along, volatile identity does not, the copy is independent") {
    Instance src = launch("cp-src");
    REQUIRE(sh_rc(src, "echo original > /root/mark") == 0);
    src.set_config("user.note", "kept");

    // A running source is copied (as LXD does), stateless.
    Instance copy = shared().mgr->instances().create("default", copy_of("cp-src", "cp-dst"));
    api::Instance info = copy.info();
    CHECK(info.config.at("user.note") == "kept");
    CHECK(info.config.at("volatile.base_image") == src.info().config.at("volatile.base_image"));
    CHECK(src.info().config.count("volatile.idmap.current") == 1);
    CHECK(info.config.count("volatile.idmap.current") == 0);  // the original's identity stays its own
    CHECK(info.status == "Stopped");
    copy.start();
    CHECK(sh(copy, "cat /root/mark") == "original\n");
    CHECK(sh(copy, "stat -c %u:%g /root/mark /bin/busybox") == "0:0\n0:0\n");  // not the running source's shifted view
    REQUIRE(sh_rc(copy, "echo changed > /root/mark") == 0);
    CHECK(sh(src, "cat /root/mark") == "original\n");

    // Refusals name the field and leave nothing.
    Error missing = error_of([] { shared().mgr->instances().create("default", copy_of("cp-nowhere", "cp-x")); });
    CHECK(missing.code() == ErrorCode::NotFound);
    CHECK(missing.key() == "source.source");
    Error taken = error_of([] { shared().mgr->instances().create("default", copy_of("cp-src", "cp-dst")); });
    CHECK(taken.code() == ErrorCode::AlreadyExists);
    CHECK_FALSE(instance_exists("cp-x"));
    force_stop(copy);
    copy.remove();
    force_stop(src);
    src.remove();
}

TEST_CASE("copy to and move between a dir and a btrfs pool flatten the volume; rename follows the instance") {
    BtrfsPool bt("copybt");
    Instance src = launch("mv-src");
    REQUIRE(sh_rc(src, "echo layered > /root/mark && mkdir -p /srv/d && echo deep > /srv/d/f") == 0);

    // Across pools the source must be stopped: refused, nothing made on the target pool.
    Error running = error_of([&] { shared().mgr->instances().create("default", copy_of("mv-src", "mv-bt", bt.name)); });
    CHECK(running.code() == ErrorCode::Busy);
    CHECK(running.key() == "source.source");
    CHECK_FALSE(instance_exists("mv-bt"));
    CHECK_FALSE(fs::exists(bt.root() / "containers" / "mv-bt"));
    force_stop(src);

    Instance on_bt = shared().mgr->instances().create("default", copy_of("mv-src", "mv-bt", bt.name));
    CHECK(btrfs::is_subvolume(bt.root() / "containers" / "mv-bt"));
    CHECK(on_bt.info().expanded_devices.at("root").at("pool") == bt.name);
    on_bt.start();
    CHECK(sh(on_bt, "cat /root/mark /srv/d/f") == "layered\ndeep\n");
    CHECK(sh(on_bt, "stat -c %u /root/mark") == "0\n");

    // Rename: refused while running, then the volume, files and record follow the new name.
    Error busy = error_of([&] { on_bt.rename("mv-renamed"); });
    CHECK(busy.code() == ErrorCode::Busy);
    Error busy_move = error_of([&] { on_bt.move_to_pool("default"); });  // nor moved while running
    CHECK(busy_move.code() == ErrorCode::Busy);
    CHECK(std::string(busy_move.what()).find("mv-bt") != std::string::npos);
    CHECK(btrfs::is_subvolume(bt.root() / "containers" / "mv-bt"));
    force_stop(on_bt);
    Error exists = error_of([&] { on_bt.rename("mv-src"); });
    CHECK(exists.code() == ErrorCode::AlreadyExists);
    CHECK(error_of([&] { on_bt.rename("bad/name"); }).code() == ErrorCode::InvalidArgument);
    on_bt.rename("mv-renamed");
    CHECK(on_bt.name() == "mv-renamed");
    CHECK_FALSE(instance_exists("mv-bt"));
    CHECK(btrfs::is_subvolume(bt.root() / "containers" / "mv-renamed"));
    CHECK_FALSE(fs::exists(bt.root() / "containers" / "mv-bt"));
    on_bt.start();
    CHECK(sh(on_bt, "cat /root/mark") == "layered\n");
    force_stop(on_bt);

    // Move back to the dir pool: the instance's own root disk names it, the btrfs volume goes.
    Error same = error_of([&] { on_bt.move_to_pool(bt.name); });
    CHECK(same.code() == ErrorCode::InvalidArgument);
    CHECK(same.key() == "pool");
    CHECK(error_of([&] { on_bt.move_to_pool("no-such-pool"); }).code() == ErrorCode::NotFound);
    on_bt.move_to_pool("default");
    CHECK(on_bt.info().devices.at("root").at("pool") == "default");
    CHECK_FALSE(fs::exists(bt.root() / "containers" / "mv-renamed"));
    on_bt.start();
    CHECK(sh(on_bt, "cat /root/mark /srv/d/f") == "layered\ndeep\n");
    force_stop(on_bt);
    on_bt.remove();
    src.remove();
}
