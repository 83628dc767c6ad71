// Issue 6 volume operations checked on every driver: rename, snapshots, usage and sizes.
#include <doctest.h>
#include <cerrno>
#include <fcntl.h>
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

#define POOLS DirPool, DirCopyPool, BtrfsPool

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
