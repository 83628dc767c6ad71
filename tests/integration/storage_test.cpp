// Copy-on-write launches with real unprivileged containers: dir (overlayfs) and btrfs (loop file).
#include <doctest.h>
#include <chrono>
#include <fmt/format.h>
#include <sys/stat.h>

#include "integration/shared_manager.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"
#include "sys/mount.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

api::InstancesPost busybox_post(const std::string& name, const std::string& pool = {}) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.start = true;
    if (!pool.empty()) post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    return post;
}

struct stat stat_of(const fs::path& p) {
    struct stat st {};
    REQUIRE_MESSAGE(::lstat(p.c_str(), &st) == 0, p.string());
    return st;
}

// Writes files inside the container and checks how they land on the host.
void write_in_container(Instance& c) {
    auto r = c.exec({"sh", "-c", "echo hello > /written && mkdir -p /var/new && echo x > /var/new/f && rm -f /etc/motd-none; stat -c %u /written"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.stderr_data);
    CHECK(r.stdout_data == "0\n");  // container root owns it inside
}

}  // namespace

TEST_CASE("dir pool: a container is an overlay over the image; writes land in upper owned by host uid 0") {
    Instance c = shared().mgr->instances().create("default", busybox_post("cow-dir"));
    fs::path pool = shared().dir.path() / "storage-pools" / "default";
    fs::path vol = pool / "containers" / "cow-dir";
    std::string fp = c.info().config.at("volatile.base_image");
    fs::path image_rootfs = pool / "images" / fp / "rootfs";

    // LXD's layout beside the layered rootfs.
    CHECK(fs::exists(vol / "metadata.yaml"));
    CHECK(fs::is_directory(vol / ".overlay" / "rw" / "upper"));
    CHECK(is_overlay(vol / "rootfs"));  // mounted while running
    // Nothing was copied or chowned: the upper layer holds only what changed.
    CHECK(stat_of(image_rootfs / "bin" / "busybox").st_uid == 0);
    CHECK_FALSE(fs::exists(vol / ".overlay" / "rw" / "upper" / "bin"));

    write_in_container(c);
    struct stat written = stat_of(vol / ".overlay" / "rw" / "upper" / "written");
    CHECK(written.st_uid == 0);  // idmapped: container root writes as host root, no subordinate uid
    CHECK(written.st_gid == 0);
    CHECK(stat_of(vol / ".overlay" / "rw" / "upper" / "var" / "new" / "f").st_uid == 0);
    CHECK_FALSE(fs::exists(image_rootfs / "written"));
    CHECK_FALSE(fs::exists(image_rootfs / "var" / "new"));

    StopOptions force;
    force.force = true;
    c.stop(force);
    CHECK_FALSE(is_overlay(vol / "rootfs"));  // unmounted once stopped
    c.start();
    CHECK(c.exec({"cat", "/written"}).stdout_data == "hello\n");

    c.remove(DeleteOptions{true});
    CHECK_FALSE(fs::exists(vol));
    CHECK(fs::exists(image_rootfs));  // the image is still there, so its volume stays
    for (const auto& m : mounts_below(shared().dir.path())) CHECK(m.find("cow-dir") == std::string::npos);
}

TEST_CASE("deleting an image keeps its volume until the last instance layered over it is gone") {
    TempDir dir("li-cow-image");
    ::chmod(dir.path().c_str(), 0711);
    auto mgr = open_with_busybox(dir.path());
    Instance c1 = mgr->instances().create("default", busybox_post("dep1"));
    Instance c2 = mgr->instances().create("default", busybox_post("dep2"));
    std::string fp = c1.info().config.at("volatile.base_image");
    fs::path image_volume = dir.path() / "storage-pools" / "default" / "images" / fp;
    write_in_container(c1);

    mgr->images().remove("default", "busybox");
    CHECK_THROWS_AS(mgr->images().get("default", fp), Error);
    CHECK(fs::is_directory(image_volume / "rootfs"));
    CHECK(c1.exec({"cat", "/written"}).stdout_data == "hello\n");

    // A stop and a start remount the overlay over the kept volume.
    StopOptions force;
    force.force = true;
    c1.stop(force);
    c1.start();
    CHECK(c1.exec({"cat", "/written"}).stdout_data == "hello\n");
    CHECK(c1.exec({"ls", "/bin/busybox"}).exit_code == 0);

    c1.remove(DeleteOptions{true});
    CHECK(fs::is_directory(image_volume));  // dep2 still layers over it
    CHECK(c2.exec({"true"}).exit_code == 0);
    c2.remove(DeleteOptions{true});
    CHECK_FALSE(fs::exists(image_volume));
}

TEST_CASE("btrfs pool on a loop file: containers are snapshots of a read-only image subvolume") {
    TempDir dir("li-cow-btrfs");
    ::chmod(dir.path().c_str(), 0711);
    auto mgr = open_with_busybox(dir.path());
    api::StoragePoolsPost pool_post;
    pool_post.name = "fast";
    pool_post.driver = "btrfs";
    pool_post.config = {{"size", "1GiB"}};
    auto pool = mgr->storage_pools().create(pool_post);
    CHECK(pool.config.at("source") == (dir.path() / "disks" / "fast.img").string());
    fs::path root = dir.path() / "storage-pools" / "fast";
    REQUIRE(is_mount_point(root));

    auto begin = std::chrono::steady_clock::now();
    Instance c = mgr->instances().create("default", busybox_post("bt1", "fast"));
    MESSAGE("btrfs launch (first, unpacks the image): ", std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(), " s");
    std::string fp = c.info().config.at("volatile.base_image");
    CHECK(c.info().expanded_devices.at("root").at("pool") == "fast");
    CHECK(btrfs::is_subvolume(root / "images" / fp));
    CHECK(btrfs::is_subvolume(root / "containers" / "bt1"));
    write_in_container(c);
    CHECK(stat_of(root / "containers" / "bt1" / "rootfs" / "written").st_uid == 0);
    CHECK_FALSE(fs::exists(root / "images" / fp / "rootfs" / "written"));
    CHECK(mgr->storage_pools().get("fast").used_by == std::vector<std::string>{"/1.0/instances/bt1", "/1.0/images/" + fp});

    // In use: refused, naming the user; the pool stays whole.
    try {
        mgr->storage_pools().remove("fast");
        FAIL("deleting a pool in use succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Busy);
        CHECK(std::string(e.what()).find("/1.0/instances/bt1") != std::string::npos);
    }
    CHECK(is_mount_point(root));

    begin = std::chrono::steady_clock::now();
    Instance c2 = mgr->instances().create("default", busybox_post("bt2", "fast"));
    MESSAGE("btrfs launch (snapshot): ", std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(), " s");
    CHECK(c2.exec({"test", "-e", "/written"}).exit_code != 0);
    c.remove(DeleteOptions{true});
    c2.remove(DeleteOptions{true});
    CHECK_FALSE(fs::exists(root / "containers" / "bt1"));

    mgr->storage_pools().remove("fast");
    CHECK_FALSE(is_mount_point(root));
    CHECK_FALSE(fs::exists(dir.path() / "disks" / "fast.img"));
    CHECK(loops_below(dir.path()).empty());
    CHECK_THROWS_AS(mgr->storage_pools().get("fast"), Error);
}

TEST_CASE("btrfs pool is mounted again when the state directory is opened again") {
    TempDir dir("li-cow-reopen");
    ::chmod(dir.path().c_str(), 0711);
    fs::path root = dir.path() / "storage-pools" / "p2";
    {
        auto mgr = open_with_busybox(dir.path());
        api::StoragePoolsPost post;
        post.name = "p2";
        post.driver = "btrfs";
        post.config = {{"size", "512MiB"}};
        mgr->storage_pools().create(post);
        auto c = mgr->instances().create("default", busybox_post("re1", "p2"));
        write_in_container(c);
        StopOptions force;
        force.force = true;
        c.stop(force);
    }
    // As after a reboot: nothing mounted, no loop device.
    cleanup_mounts_below(dir.path());
    REQUIRE_FALSE(is_mount_point(root));
    auto mgr = Manager::open(dir.path());
    CHECK(is_mount_point(root));
    Instance c = mgr->instances().get("default", "re1");
    c.start();
    CHECK(c.exec({"cat", "/written"}).stdout_data == "hello\n");
    c.remove(DeleteOptions{true});
    mgr->storage_pools().remove("p2");
}
