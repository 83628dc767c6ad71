// Issue 6 volume operations checked on every driver: rename, snapshots, usage and sizes.
#include <doctest.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "drivers/pool_fixtures.hpp"
#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_ioctl.hpp"
#include "storage/drivers/btrfs/btrfs_qgroup.hpp"
#include "sys/mount.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {
const VolumeRef kImage{VolumeType::Image, "0123abcd"};
const VolumeRef kC1{VolumeType::Container, "c1"};
const VolumeRef kData{VolumeType::Custom, "data"};
const VolumeRef kOther{VolumeType::Custom, "other"};

// A custom volume as the volume store makes one: a plain directory or subvolume, empty filler.
void make_custom(StorageDriver& d, const VolumeRef& vol, const std::string& text) {
    d.create_volume(vol, [](const fs::path& dest) { fs::create_directories(dest); });
    write_text(d.volume_path(vol) / "file.txt", text);
    fs::create_directories(d.volume_path(vol) / "sub");
    write_text(d.volume_path(vol) / "sub/nested", "nested " + text);
}

ErrorCode code_of(const std::function<void()>& fn, std::string* message = nullptr, std::string* key = nullptr) {
    try {
        fn();
    } catch (const Error& e) {
        if (message) *message = e.what();
        if (key) *key = e.key();
        return e.code();
    }
    FAIL("no error was thrown");
    return ErrorCode::Internal;
}
}  // namespace

TEST_CASE_TEMPLATE("rename_volume moves a custom volume; taken or missing names are refused", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "data");
    make_custom(d, kOther, "other");
    fs::path old_path = d.volume_path(kData);

    d.rename_volume(kData, "renamed");
    VolumeRef renamed{VolumeType::Custom, "renamed"};
    CHECK_FALSE(d.volume_exists(kData));
    CHECK_FALSE(fs::exists(old_path));
    REQUIRE(d.volume_exists(renamed));
    CHECK(read_text(d.volume_path(renamed) / "file.txt") == "data");
    CHECK(read_text(d.volume_path(renamed) / "sub/nested") == "nested data");

    // The target exists: AlreadyExists, both volumes untouched.
    std::string msg;
    CHECK(code_of([&] { d.rename_volume(renamed, "other"); }, &msg) == ErrorCode::AlreadyExists);
    CHECK(msg.find("other") != std::string::npos);
    CHECK(read_text(d.volume_path(renamed) / "file.txt") == "data");
    CHECK(read_text(d.volume_path(kOther) / "file.txt") == "other");

    // The source is missing: NotFound naming it, nothing appears.
    CHECK(code_of([&] { d.rename_volume(VolumeRef{VolumeType::Custom, "ghost"}, "new"); }, &msg) == ErrorCode::NotFound);
    CHECK(msg.find("ghost") != std::string::npos);
    CHECK_FALSE(d.volume_exists(VolumeRef{VolumeType::Custom, "new"}));

    // Bad names: InvalidArgument naming the key and the name.
    std::string key;
    for (std::string bad : {"", "a/b", "..", "x.creating"}) {
        CAPTURE(bad);
        CHECK(code_of([&] { d.rename_volume(renamed, bad); }, &msg, &key) == ErrorCode::InvalidArgument);
        CHECK(key == "name");
        if (!bad.empty()) CHECK(msg.find(bad) != std::string::npos);
    }
    CHECK(d.volume_exists(renamed));

    // Other types are unaffected by a custom volume's name.
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    d.rename_volume(renamed, "c1");
    CHECK(d.volume_exists(VolumeRef{VolumeType::Custom, "c1"}));
    CHECK(d.volume_exists(kC1));
}

TEST_CASE_TEMPLATE("rename_volume moves a (mounted) container volume with its changes", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    d.mount_volume(kC1);
    write_text(d.volume_path(kC1) / "rootfs/etc/hostname", "c1\n");
    d.rename_volume(kC1, "c9");
    VolumeRef c9{VolumeType::Container, "c9"};
    CHECK_FALSE(d.volume_exists(kC1));
    d.unmount_volume(c9);
    d.mount_volume(c9);
    CHECK(read_text(d.volume_path(c9) / "rootfs/etc/hostname") == "c1\n");
    CHECK(read_text(d.volume_path(c9) / "rootfs/etc/motd") == "hello\n");
    d.delete_volume(c9);
    CHECK_FALSE(d.volume_exists(c9));
    for (const auto& m : mounts_below(pool.tmp.path())) CHECK(m.find("/c9") == std::string::npos);
}

namespace {
// An operation already asked to stop: work given it must stop before changing anything.
struct CancelledCtx {
    OperationState state{[] {
                             api::Operation op;
                             op.id = "op-test";
                             op.may_cancel = true;
                             return op;
                         }(),
                         nullptr};
    OperationContext ctx{&state};
    CancelledCtx() { state.cancel(); }
};

bool has_staging(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec))
        if (e.path().extension() == ".creating") return true;
    return false;
}
}  // namespace

TEST_CASE_TEMPLATE("snapshots of a custom volume: create, list, rename, restore, delete", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    CHECK(d.list_snapshots(kData).empty());
    d.create_snapshot(kData, "snap0", null_ctx());
    write_text(d.volume_path(kData) / "file.txt", "v2");
    write_text(d.volume_path(kData) / "added", "later");
    fs::remove_all(d.volume_path(kData) / "sub");
    d.create_snapshot(kData, "snap1", null_ctx());
    write_text(d.volume_path(kData) / "file.txt", "v3");
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"snap0", "snap1"});

    // Snapshots hold the content of their moment.
    CHECK(read_text(d.snapshot_path(kData, "snap0") / "file.txt") == "v1");
    CHECK(read_text(d.snapshot_path(kData, "snap0") / "sub/nested") == "nested v1");
    CHECK_FALSE(fs::exists(d.snapshot_path(kData, "snap0") / "added"));
    CHECK(read_text(d.snapshot_path(kData, "snap1") / "file.txt") == "v2");

    // Taken and bad names are refused naming the key; nothing is added.
    std::string msg, key;
    CHECK(code_of([&] { d.create_snapshot(kData, "snap0", null_ctx()); }, &msg, &key) == ErrorCode::AlreadyExists);
    CHECK(key == "name");
    CHECK(msg.find("snap0") != std::string::npos);
    for (std::string bad : {"", "a/b", ".", "s.creating"}) {
        CAPTURE(bad);
        CHECK(code_of([&] { d.create_snapshot(kData, bad, null_ctx()); }, &msg, &key) == ErrorCode::InvalidArgument);
        CHECK(key == "name");
        if (!bad.empty()) CHECK(msg.find(bad) != std::string::npos);
    }
    CHECK(code_of([&] { d.create_snapshot(VolumeRef{VolumeType::Custom, "ghost"}, "s", null_ctx()); }, &msg) == ErrorCode::NotFound);
    CHECK(msg.find("ghost") != std::string::npos);
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"snap0", "snap1"});

    // Rename keeps the order (oldest first) and refuses taken or missing names.
    d.rename_snapshot(kData, "snap0", "first");
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"first", "snap1"});
    CHECK(read_text(d.snapshot_path(kData, "first") / "file.txt") == "v1");
    CHECK(code_of([&] { d.rename_snapshot(kData, "first", "snap1"); }, &msg, &key) == ErrorCode::AlreadyExists);
    CHECK(key == "name");
    CHECK(code_of([&] { d.rename_snapshot(kData, "nope", "x"); }, &msg) == ErrorCode::NotFound);
    CHECK(msg.find("nope") != std::string::npos);
    CHECK(code_of([&] { d.rename_snapshot(kData, "first", "a/b"); }, &msg, &key) == ErrorCode::InvalidArgument);
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"first", "snap1"});

    // Restore brings back the snapshot's content exactly; the snapshot stays.
    d.restore_snapshot(kData, "first", null_ctx());
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "v1");
    CHECK(read_text(d.volume_path(kData) / "sub/nested") == "nested v1");
    CHECK_FALSE(fs::exists(d.volume_path(kData) / "added"));
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"first", "snap1"});
    // The restored volume is writable again (btrfs: not the read-only snapshot).
    write_text(d.volume_path(kData) / "file.txt", "after");
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "after");
    CHECK(read_text(d.snapshot_path(kData, "first") / "file.txt") == "v1");
    d.restore_snapshot(kData, "snap1", null_ctx());
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "v2");
    CHECK(read_text(d.volume_path(kData) / "added") == "later");
    CHECK_FALSE(fs::exists(d.volume_path(kData) / "sub"));
    CHECK_FALSE(has_staging(pool.tmp.path()));

    // Delete one, then the volume takes the rest with it.
    d.delete_snapshot(kData, "first");
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"snap1"});
    CHECK(code_of([&] { d.delete_snapshot(kData, "first"); }, &msg) == ErrorCode::NotFound);
    CHECK(code_of([&] { d.snapshot_path(kData, "first"); }, &msg) == ErrorCode::NotFound);
    fs::path snap1 = d.snapshot_path(kData, "snap1");
    d.delete_volume(kData);
    CHECK_FALSE(fs::exists(snap1));
    CHECK_FALSE(fs::exists(snap1.parent_path()));
    make_custom(d, kData, "again");
    CHECK(d.list_snapshots(kData).empty());
}

TEST_CASE_TEMPLATE("renaming a volume moves its snapshots", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    d.create_snapshot(kData, "s1", null_ctx());
    make_custom(d, kOther, "other");
    d.rename_volume(kData, "moved");
    VolumeRef moved{VolumeType::Custom, "moved"};
    CHECK(d.list_snapshots(moved) == std::vector<std::string>{"s1"});
    CHECK(read_text(d.snapshot_path(moved, "s1") / "file.txt") == "v1");
    CHECK_FALSE(fs::exists(d.snapshot_path(moved, "s1").parent_path().parent_path() / "data"));
    // A refused rename leaves the snapshots where they were.
    CHECK(code_of([&] { d.rename_volume(moved, "other"); }) == ErrorCode::AlreadyExists);
    CHECK(d.list_snapshots(moved) == std::vector<std::string>{"s1"});
    CHECK(d.list_snapshots(kOther).empty());
}

TEST_CASE_TEMPLATE("snapshot and restore keep owners, modes, xattrs, links and special files", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    fs::path v = d.volume_path(kData);
    REQUIRE(::chown((v / "file.txt").c_str(), 1234, 5678) == 0);
    REQUIRE(::chmod((v / "file.txt").c_str(), 0640) == 0);
    REQUIRE(::setxattr((v / "file.txt").c_str(), "user.tag", "blue", 4, 0) == 0);
    fs::create_symlink("sub/nested", v / "link");
    fs::create_hard_link(v / "file.txt", v / "hard");
    REQUIRE(::mkfifo((v / "fifo").c_str(), 0600) == 0);
    REQUIRE(::mknod((v / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    d.create_snapshot(kData, "s", null_ctx());
    fs::remove(v / "link");
    fs::remove(v / "fifo");
    fs::remove(v / "null");
    fs::remove(v / "hard");
    ::chown((v / "file.txt").c_str(), 0, 0);
    d.restore_snapshot(kData, "s", null_ctx());
    struct stat st {};
    REQUIRE(::lstat((v / "file.txt").c_str(), &st) == 0);
    CHECK(st.st_uid == 1234);
    CHECK(st.st_gid == 5678);
    CHECK((st.st_mode & 07777) == 0640);
    CHECK(st.st_nlink == 2);
    char buf[16] = {};
    CHECK(::getxattr((v / "file.txt").c_str(), "user.tag", buf, sizeof buf) == 4);
    CHECK(std::string(buf) == "blue");
    CHECK(fs::read_symlink(v / "link") == "sub/nested");
    CHECK(fs::is_fifo(fs::symlink_status(v / "fifo")));
    REQUIRE(::lstat((v / "null").c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(st.st_rdev == makedev(1, 3));
}

TEST_CASE_TEMPLATE("a container volume's snapshot captures its own changes and restore brings them back", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    fs::path vol = d.mount_volume(kC1);
    write_text(vol / "rootfs/etc/hostname", "c1\n");
    write_text(vol / "rootfs/new-file", "new\n");
    fs::remove(vol / "rootfs/etc/motd");
    ::chmod((vol / "rootfs/bin").c_str(), 0700);
    d.create_snapshot(kC1, "before", null_ctx());  // taken while mounted

    write_text(vol / "rootfs/etc/hostname", "changed\n");
    write_text(vol / "rootfs/etc/motd", "back\n");
    fs::remove(vol / "rootfs/new-file");
    write_text(vol / "rootfs/later", "later\n");
    d.unmount_volume(kC1);
    d.restore_snapshot(kC1, "before", null_ctx());
    d.mount_volume(kC1);
    CHECK(read_text(vol / "rootfs/etc/hostname") == "c1\n");
    CHECK(read_text(vol / "rootfs/new-file") == "new\n");
    CHECK_FALSE(fs::exists(vol / "rootfs/etc/motd"));  // a deletion is part of the state
    CHECK_FALSE(fs::exists(vol / "rootfs/later"));
    CHECK(read_text(vol / "rootfs/bin/tool") == "#!/bin/sh\n");
    CHECK((fs::status(vol / "rootfs/bin").permissions() & fs::perms::all) == fs::perms::owner_all);
    CHECK(read_text(vol / "metadata.yaml").find("architecture") != std::string::npos);
    // The image is untouched; the volume works on after a restore.
    CHECK(read_text(d.volume_path(kImage) / "rootfs/etc/motd") == "hello\n");
    write_text(vol / "rootfs/etc/hostname", "again\n");
    d.unmount_volume(kC1);
    d.mount_volume(kC1);
    CHECK(read_text(vol / "rootfs/etc/hostname") == "again\n");
    // Restoring a mounted volume unmounts it first.
    d.restore_snapshot(kC1, "before", null_ctx());
    d.mount_volume(kC1);
    CHECK(read_text(vol / "rootfs/etc/hostname") == "c1\n");
    d.delete_volume(kC1);
    CHECK(mounts_below(pool.tmp.path()).size() == (std::string(Pool::kName) == "btrfs" ? 1u : 0u));
}

TEST_CASE_TEMPLATE("a cancelled snapshot or restore changes nothing and leaves nothing half-made", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    d.create_snapshot(kData, "s", null_ctx());
    write_text(d.volume_path(kData) / "file.txt", "v2");
    {
        CancelledCtx cancelled;
        CHECK(code_of([&] { d.create_snapshot(kData, "t", cancelled.ctx); }) == ErrorCode::Cancelled);
        CHECK(code_of([&] { d.restore_snapshot(kData, "s", cancelled.ctx); }) == ErrorCode::Cancelled);
    }
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"s"});
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "v2");
    CHECK_FALSE(has_staging(pool.tmp.path()));
    // Restoring a missing snapshot or into a missing volume: NotFound, nothing changes.
    std::string msg;
    CHECK(code_of([&] { d.restore_snapshot(kData, "nope", null_ctx()); }, &msg) == ErrorCode::NotFound);
    CHECK(msg.find("nope") != std::string::npos);
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "v2");
    CHECK(code_of([&] { d.list_snapshots(VolumeRef{VolumeType::Custom, "ghost"}); }) == ErrorCode::NotFound);
}

TEST_CASE("btrfs: snapshots are read-only subvolumes") {
    BtrfsPool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    d.create_snapshot(kData, "s", null_ctx());
    fs::path snap = d.snapshot_path(kData, "s");
    CHECK(btrfs::is_subvolume(snap));
    CHECK(snap == pool.tmp.path() / "pool/custom-snapshots/data/s");
    int fd = ::open((snap / "file.txt").c_str(), O_WRONLY);
    int err = errno;
    if (fd >= 0) ::close(fd);
    CHECK(fd < 0);
    CHECK(err == EROFS);
    d.restore_snapshot(kData, "s", null_ctx());
    CHECK(btrfs::is_subvolume(d.volume_path(kData)));
}

TEST_CASE("dir: snapshots are copies under <pool>/<type>-snapshots; a layered one keeps only the upper layer") {
    DirPool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    fs::path vol = d.mount_volume(kC1);
    write_text(vol / "rootfs/etc/hostname", "c1\n");
    d.create_snapshot(kC1, "s", null_ctx());
    fs::path snap = d.snapshot_path(kC1, "s");
    CHECK(snap == pool.tmp.path() / "pool/containers-snapshots/c1/s");
    CHECK(read_text(snap / ".overlay/base") == "0123abcd\n");
    CHECK(read_text(snap / ".overlay/rw/upper/etc/hostname") == "c1\n");
    CHECK_FALSE(fs::exists(snap / ".overlay/rw/upper/bin/tool"));  // the image's files are not copied
    CHECK(fs::is_empty(snap / "rootfs"));
    CHECK_FALSE(is_mount_point(snap / "rootfs"));
}

namespace {
// Writes `mib` MiB of incompressible data; returns 0 or the errno of the first failing write/fsync.
int write_mib(const fs::path& file, int mib) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    std::string chunk(1 << 20, '\0');
    uint64_t x = 88172645463325252ull ^ static_cast<uint64_t>(::getpid());
    int err = 0;
    for (int i = 0; i < mib && !err; ++i) {
        for (size_t j = 0; j + 8 <= chunk.size(); j += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            std::memcpy(chunk.data() + j, &x, 8);
        }
        // A short write near a limit is retried for the rest, which then fails with the reason.
        for (size_t done = 0; done < chunk.size() && !err;) {
            ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
            if (n < 0) err = errno;
            else done += static_cast<size_t>(n);
        }
        if (!err && ::fsync(fd) != 0) err = errno;
    }
    ::close(fd);
    return err;
}
}  // namespace

TEST_CASE_TEMPLATE("volume_usage counts the volume's own files", Pool, POOLS) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    uint64_t before = d.volume_usage(kData);
    REQUIRE(write_mib(d.volume_path(kData) / "big", 4) == 0);
    uint64_t after = d.volume_usage(kData);
    CHECK(after >= before + (4u << 20));
    CHECK(after < before + (6u << 20));
    fs::remove(d.volume_path(kData) / "big");
    CHECK(d.volume_usage(kData) < before + (1u << 20));
    CHECK(code_of([&] { d.volume_usage(VolumeRef{VolumeType::Custom, "ghost"}); }) == ErrorCode::NotFound);
}

TEST_CASE("dir: a layered volume's usage is its upper layer; sizes are refused naming the key") {
    DirPool pool;
    StorageDriver& d = *pool.driver;
    d.create_volume(kImage, [](const fs::path& dest) {
        fill_image(dest);
        REQUIRE(write_mib(dest / "rootfs/big-image-file", 3) == 0);
    });
    d.copy_volume(kImage, kC1, null_ctx());
    CHECK(d.volume_usage(kImage) >= (3u << 20));
    CHECK(d.volume_usage(kC1) < (1u << 20));  // the image's files are not the volume's
    fs::path vol = d.mount_volume(kC1);
    REQUIRE(write_mib(vol / "rootfs/own", 2) == 0);
    CHECK(d.volume_usage(kC1) >= (2u << 20));
    CHECK(d.volume_usage(kC1) < (3u << 20));

    std::string msg, key;
    CHECK(code_of([&] { d.set_volume_size(kC1, 1u << 30); }, &msg, &key) == ErrorCode::NotSupported);
    CHECK(key == "size");
    CHECK(msg.find("dir") != std::string::npos);
    CHECK(code_of([&] { d.set_volume_size(VolumeRef{VolumeType::Custom, "ghost"}, 1); }) == ErrorCode::NotFound);
}

TEST_CASE("btrfs: a volume's size is a qgroup limit; writing past it fails") {
    BtrfsPool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    fs::path v = d.volume_path(kData);
    CHECK_FALSE(btrfs::qgroup_figures(v));  // quotas stay off until a volume gets a size
    REQUIRE(write_mib(v / "eight", 8) == 0);

    // Smaller than what the volume holds: refused naming the key, no limit set.
    std::string msg, key;
    CHECK(code_of([&] { d.set_volume_size(kData, 4u << 20); }, &msg, &key) == ErrorCode::InvalidArgument);
    CHECK(key == "size");
    CHECK(msg.find("4194304") != std::string::npos);
    auto figures = btrfs::qgroup_figures(v);
    REQUIRE(figures);  // quotas are on now
    CHECK(figures->max_referenced == 0);
    CHECK(d.volume_usage(kData) >= (8u << 20));
    CHECK(d.volume_usage(kData) < (10u << 20));

    d.set_volume_size(kData, 16u << 20);
    CHECK(btrfs::qgroup_figures(v)->max_referenced == (16u << 20));
    int err = write_mib(v / "more", 32);
    CAPTURE(err);
    CHECK((err == EDQUOT || err == ENOSPC));
    CHECK(d.volume_usage(kData) <= (17u << 20));
    fs::remove(v / "more");

    // The limit survives a restore (the restored volume is a new subvolume).
    d.create_snapshot(kData, "s", null_ctx());
    d.restore_snapshot(kData, "s", null_ctx());
    CHECK(btrfs::qgroup_figures(v)->max_referenced == (16u << 20));
    CHECK(read_text(v / "file.txt") == "v1");

    // 0 removes it: the same write now succeeds.
    d.set_volume_size(kData, 0);
    CHECK(btrfs::qgroup_figures(v)->max_referenced == 0);
    CHECK(write_mib(v / "more", 32) == 0);
    CHECK(d.volume_usage(kData) >= (40u << 20));
    // Another volume is not limited by this one's size.
    make_custom(d, kOther, "o");
    CHECK(write_mib(d.volume_path(kOther) / "big", 24) == 0);
}

TEST_CASE("mock: registered, takes no config, copies instead of clones, mounts nothing") {
    StoragePoolParams bad{"m", "/tmp/unused", "/tmp/unused", {{"size", "1GiB"}}};
    std::string msg, key;
    CHECK(code_of([&] { storage_pool_config("mock", bad); }, &msg, &key) == ErrorCode::InvalidArgument);
    CHECK(key == "size");
    CHECK(msg.find("size") != std::string::npos);
    const auto names = storage_driver_names();
    CHECK(std::find(names.begin(), names.end(), "mock") != names.end());

    MockPool pool;
    StorageDriver& d = *pool.driver;
    CHECK(d.info().name == "mock");
    CHECK_FALSE(d.info().optimized_images);
    d.create_volume(kImage, fill_image);
    d.copy_volume(kImage, kC1, null_ctx());
    struct stat a {}, b {};
    REQUIRE(::stat((d.volume_path(kImage) / "rootfs/etc/motd").c_str(), &a) == 0);
    REQUIRE(::stat((d.volume_path(kC1) / "rootfs/etc/motd").c_str(), &b) == 0);
    CHECK(a.st_ino != b.st_ino);  // a real copy
    CHECK(d.mount_volume(kC1) == d.volume_path(kC1));
    CHECK(mounts_below(pool.tmp.path()).empty());
    CHECK(code_of([&] { d.set_volume_size(kC1, 1u << 30); }, &msg) == ErrorCode::NotSupported);
    CHECK(msg.find("mock") != std::string::npos);
    d.delete_pool();
    CHECK_FALSE(fs::exists(pool.tmp.path() / "pool"));
}

// Full-copy drivers: a restore stopped while it copies leaves the volume as it was and no staging.
TEST_CASE_TEMPLATE("a restore cancelled half-way through its copy changes nothing", Pool, MockPool, DirPool) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    make_custom(d, kData, "v1");
    for (int i = 0; i < 3000; ++i) write_text(d.volume_path(kData) / "many" / std::to_string(i), "x");
    d.create_snapshot(kData, "s", null_ctx());
    fs::remove_all(d.volume_path(kData) / "many");
    write_text(d.volume_path(kData) / "file.txt", "v2");

    // An operation cancelled only once the copy is under way.
    OperationState state{[] {
                             api::Operation o;
                             o.id = "op-restore";
                             o.may_cancel = true;
                             return o;
                         }(),
                         nullptr};
    OperationContext ctx{&state};
    const fs::path staging = d.volume_path(kData).string() + ".creating";
    std::atomic<bool> saw_staging{false};
    std::thread canceller([&] {
        for (int i = 0; i < 200000 && !fs::exists(staging); ++i) std::this_thread::sleep_for(std::chrono::microseconds(50));
        saw_staging = fs::exists(staging);
        state.cancel();
    });
    ErrorCode code = code_of([&] { d.restore_snapshot(kData, "s", ctx); });
    canceller.join();
    CHECK(saw_staging.load());
    CHECK(code == ErrorCode::Cancelled);
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "v2");
    CHECK_FALSE(fs::exists(d.volume_path(kData) / "many"));
    CHECK_FALSE(fs::exists(staging));
    CHECK(d.list_snapshots(kData) == std::vector<std::string>{"s"});
    // The volume restores fine afterwards.
    d.restore_snapshot(kData, "s", null_ctx());
    CHECK(read_text(d.volume_path(kData) / "file.txt") == "v1");
    CHECK(fs::exists(d.volume_path(kData) / "many/2999"));
}
