// The same contract checked on every driver: mock, dir (overlay layers), dir (full copies), btrfs.
#include <doctest.h>
#include <cerrno>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/pool_fixtures.hpp"
#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"
#include "sys/mount.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {
const VolumeRef kImage{VolumeType::Image, "0123abcd"};
const VolumeRef kC1{VolumeType::Container, "c1"};
const VolumeRef kC2{VolumeType::Container, "c2"};

bool leftovers(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".creating") return true;
    return false;
}
}  // namespace

TEST_CASE_TEMPLATE("create_volume fills a volume; a failing filler leaves nothing", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    CHECK_FALSE(d.volume_exists(kImage));
    d.create_volume(kImage, fill_image);
    CHECK(d.volume_exists(kImage));
    fs::path img = d.volume_path(kImage);
    CHECK(read_text(img / "rootfs/etc/hostname") == "image\n");
    CHECK(read_text(img / "metadata.yaml").find("architecture") != std::string::npos);
    CHECK(fs::exists(img / "templates/hostname.tpl"));
    CHECK_THROWS_AS(d.create_volume(kImage, fill_image), Error);

    VolumeRef bad{VolumeType::Image, "broken"};
    CHECK_THROWS_WITH(d.create_volume(bad, [](const fs::path& dest) {
        fill_image(dest);
        throw Error(ErrorCode::Backend, "unpack failed half-way");
    }), doctest::Contains("half-way"));
    CHECK_FALSE(d.volume_exists(bad));
    CHECK_FALSE(leftovers(d.volume_path(bad).parent_path()));
}

TEST_CASE_TEMPLATE("a container volume is a copy-on-write clone: changing it leaves the image intact", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    REQUIRE(d.volume_exists(kC1));
    fs::path vol = d.mount_volume(kC1);
    CHECK(vol == d.volume_path(kC1));
    // The LXD layout beside rootfs/, for templates and publishing.
    CHECK(fs::exists(vol / "metadata.yaml"));
    CHECK(fs::exists(vol / "templates/hostname.tpl"));
    CHECK(read_text(vol / "rootfs/etc/hostname") == "image\n");

    write_text(vol / "rootfs/etc/hostname", "c1\n");
    write_text(vol / "rootfs/new-file", "new\n");
    fs::remove(vol / "rootfs/etc/motd");
    CHECK(read_text(vol / "rootfs/etc/hostname") == "c1\n");
    CHECK_FALSE(fs::exists(vol / "rootfs/etc/motd"));

    fs::path img = d.volume_path(kImage);
    CHECK(read_text(img / "rootfs/etc/hostname") == "image\n");
    CHECK(read_text(img / "rootfs/etc/motd") == "hello\n");
    CHECK_FALSE(fs::exists(img / "rootfs/new-file"));

    // Changes survive an unmount/mount cycle (a stop and a start).
    d.unmount_volume(kC1);
    d.unmount_volume(kC1);  // idempotent
    d.mount_volume(kC1);
    d.mount_volume(kC1);  // idempotent
    CHECK(read_text(vol / "rootfs/etc/hostname") == "c1\n");
    CHECK(read_text(vol / "rootfs/new-file") == "new\n");
    CHECK_FALSE(fs::exists(vol / "rootfs/etc/motd"));

    // A second clone starts from the image, not from c1.
    d.copy_volume(kImage, kC2, null_ctx());
    d.mount_volume(kC2);
    CHECK(read_text(d.volume_path(kC2) / "rootfs/etc/hostname") == "image\n");
    d.delete_volume(kC2);
    d.delete_volume(kC1);
}

TEST_CASE_TEMPLATE("a copy of a container volume is whole and independent", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    d.mount_volume(kC1);
    write_text(d.volume_path(kC1) / "rootfs/etc/hostname", "c1\n");
    d.unmount_volume(kC1);
    d.copy_volume(kC1, kC2, null_ctx());
    fs::path c2 = d.mount_volume(kC2);
    CHECK(read_text(c2 / "rootfs/etc/hostname") == "c1\n");
    CHECK(read_text(c2 / "rootfs/etc/motd") == "hello\n");
    write_text(c2 / "rootfs/etc/hostname", "c2\n");
    d.mount_volume(kC1);
    CHECK(read_text(d.volume_path(kC1) / "rootfs/etc/hostname") == "c1\n");
    d.delete_volume(kC1);
    // c2 does not depend on c1.
    d.unmount_volume(kC2);
    CHECK(read_text(d.mount_volume(kC2) / "rootfs/etc/hostname") == "c2\n");
}

TEST_CASE_TEMPLATE("delete_volume removes a mounted volume and its mount", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    fs::path vol = d.mount_volume(kC1);
    d.delete_volume(kC1);
    CHECK_FALSE(d.volume_exists(kC1));
    CHECK_FALSE(fs::exists(vol));
    for (const auto& m : mounts_below(pool.tmp.path())) CHECK(m.find("/c1") == std::string::npos);
    d.delete_volume(kC1);  // deleting a missing volume is fine
    d.delete_volume(kImage);
    CHECK_FALSE(d.volume_exists(kImage));
}

TEST_CASE_TEMPLATE("copy failures leave nothing and name the problem", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    try {
        d.copy_volume(VolumeRef{VolumeType::Image, "missing"}, kC1, null_ctx());
        FAIL("copying a missing volume succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(std::string(e.what()).find("missing") != std::string::npos);
    }
    CHECK_FALSE(d.volume_exists(kC1));
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    try {
        d.copy_volume(kImage, kC1, null_ctx());
        FAIL("copying over an existing volume succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::AlreadyExists);
        CHECK(std::string(e.what()).find("c1") != std::string::npos);
    }
    CHECK_FALSE(leftovers(d.volume_path(kC1).parent_path()));
}

TEST_CASE("dir: container volumes are overlay layers; only changed files are in the upper layer") {
    DirPool pool;
    auto& d = static_cast<DirDriver&>(*pool.driver);
    REQUIRE(d.layered());
    CHECK(d.info().optimized_images);
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    fs::path vol = d.volume_path(kC1);
    CHECK(read_text(vol / ".overlay/base") == "0123abcd\n");
    CHECK_FALSE(is_overlay(vol / "rootfs"));  // created unmounted
    d.mount_volume(kC1);
    CHECK(is_overlay(vol / "rootfs"));
    write_text(vol / "rootfs/etc/hostname", "c1\n");
    CHECK(fs::exists(vol / ".overlay/rw/upper/etc/hostname"));
    CHECK_FALSE(fs::exists(vol / ".overlay/rw/upper/etc/motd"));
    CHECK_FALSE(fs::exists(vol / ".overlay/rw/upper/bin/tool"));
    // A missing lower layer is a clear error, not an empty rootfs.
    d.unmount_volume(kC1);
    fs::rename(d.volume_path(kImage), d.volume_path(kImage).string() + ".away");
    CHECK_THROWS_WITH(d.mount_volume(kC1), doctest::Contains("0123abcd"));
    fs::rename(d.volume_path(kImage).string() + ".away", d.volume_path(kImage));
    d.mount_volume(kC1);
    CHECK(read_text(vol / "rootfs/etc/hostname") == "c1\n");
}

TEST_CASE("dir without overlayfs falls back to full copies") {
    DirCopyPool pool;
    auto& d = static_cast<DirDriver&>(*pool.driver);
    CHECK_FALSE(d.layered());
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    CHECK_FALSE(fs::exists(d.volume_path(kC1) / ".overlay"));
    CHECK(read_text(d.volume_path(kC1) / "rootfs/etc/motd") == "hello\n");
}

TEST_CASE("btrfs: image volumes are read-only subvolumes, container volumes writable snapshots") {
    BtrfsPool pool;
    StorageDriver& d = *pool.driver;
    CHECK(d.info().optimized_images);
    d.create_volume(kImage, fill_image);
    fs::path img = d.volume_path(kImage);
    CHECK(btrfs::is_subvolume(img));
    int fd = ::open((img / "rootfs/etc/new").c_str(), O_CREAT | O_WRONLY, 0644);
    int err = errno;
    if (fd >= 0) ::close(fd);
    CHECK(fd < 0);
    CHECK(err == EROFS);
    d.copy_volume(kImage, kC1, null_ctx());
    CHECK(btrfs::is_subvolume(d.volume_path(kC1)));
    write_text(d.volume_path(kC1) / "rootfs/etc/new", "x\n");
    CHECK(read_text(d.volume_path(kC1) / "rootfs/etc/new") == "x\n");
    // Deleting read-only and writable subvolumes alike.
    d.delete_volume(kC1);
    d.delete_volume(kImage);
    CHECK_FALSE(fs::exists(img));
}

TEST_CASE("btrfs: the loop-backed pool is re-attached and mounted after being unmounted") {
    BtrfsPool pool;
    StorageDriver& d = *pool.driver;
    fs::path image_file = pool.params.config.at("source");
    CHECK(image_file == pool.tmp.path() / "disks/p1.img");
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    REQUIRE(is_mount_point(pool.tmp.path() / "pool"));
    REQUIRE_FALSE(loop_find(image_file).empty());

    d.unmount_pool();
    CHECK_FALSE(is_mount_point(pool.tmp.path() / "pool"));
    CHECK(loop_find(image_file).empty());  // the loop device cleared itself
    CHECK_FALSE(d.volume_exists(kC1));

    // A new driver object, as a manager opening the state directory again makes.
    BtrfsDriver again(pool.params);
    again.mount_pool();
    again.mount_pool();  // idempotent
    CHECK(again.volume_exists(kC1));
    CHECK(read_text(again.volume_path(kC1) / "rootfs/etc/hostname") == "image\n");
    CHECK(mounts_below(pool.tmp.path()).size() == 1);

    // Sparse: a 512MiB pool holding a few files takes far less.
    struct stat st {};
    REQUIRE(::stat(image_file.c_str(), &st) == 0);
    CHECK(st.st_size == 512ll << 20);
    CHECK(st.st_blocks * 512 < (200ll << 20));

    again.delete_pool();
    CHECK_FALSE(fs::exists(image_file));
    CHECK(mounts_below(pool.tmp.path()).empty());
    CHECK(loops_below(pool.tmp.path()).empty());
}
