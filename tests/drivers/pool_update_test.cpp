// Pool usage and pool updates over every driver: statvfs figures, growing a loop-backed btrfs
// pool online (file, loop device and file system), refused shrinks and keys that cannot change.

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <fstream>

#include "libinstance/error.hpp"
#include "pool_fixtures.hpp"
#include "sys/mount.hpp"

using namespace li;
using namespace li::test;

namespace {

const VolumeRef kImage{VolumeType::Image, "0123abcd"};

uint64_t statvfs_total(const fs::path& p) {
    struct statvfs st {};
    REQUIRE(::statvfs(p.c_str(), &st) == 0);
    return static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
}

uint64_t loop_file_size(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<uint64_t>(st.st_size);
}

void refused(StorageDriver& d, const std::map<std::string, std::string>& changed, const std::string& key) {
    try {
        d.update_pool(changed);
        FAIL("update_pool accepted ", key);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == key);
        CHECK(std::string(e.what()).find(key) != std::string::npos);
    }
}

std::string mount_options_of(const fs::path& mount_point) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.find(" " + mount_point.string() + " ") == std::string::npos) continue;
        return line;
    }
    return {};
}

}  // namespace

TEST_CASE_TEMPLATE("pool_usage reports the pool's file system; writing a file raises its used space", Pool, DirPool, BtrfsPool) {
    Pool pool;
    StorageDriver& d = *pool.driver;
    PoolUsage before = d.pool_usage();
    CHECK(before.space_total > 0);
    CHECK(before.space_used <= before.space_total);
    fs::path root = d.volume_path(VolumeRef{VolumeType::Custom, "x"}).parent_path();
    {
        std::ofstream out(root / "blob", std::ios::binary);
        std::string chunk(1 << 20, 'x');
        for (int i = 0; i < 32; ++i) out << chunk;
    }
    ::sync();
    PoolUsage after = d.pool_usage();
    CHECK(after.space_used >= before.space_used + (16u << 20));
    fs::remove(root / "blob");
    if (std::string(Pool::kName) == "dir") {
        CHECK(before.inodes_total > 0);
        CHECK(before.inodes_used > 0);
    } else {
        // Btrfs makes inodes on demand: no meaningful figures, as LXD reports.
        CHECK(before.inodes_total == 0);
        CHECK(before.inodes_used == 0);
        // The pool's own file system, not the host's: about its 512MiB.
        CHECK(before.space_total <= (512ull << 20));
        CHECK(before.space_total > (256ull << 20));
    }
}

TEST_CASE("dir: no pool key can change; an unchanged config is fine") {
    DirPool pool;
    refused(*pool.driver, {{"source", "/elsewhere"}}, "source");
    pool.driver->update_pool({});
}

TEST_CASE("btrfs: a loop-backed pool grows online; shrinking and removing size are refused") {
    BtrfsPool pool;
    StorageDriver& d = *pool.driver;
    fs::path image_file = pool.params.config.at("source");
    fs::path mount_dir = pool.tmp.path() / "pool";
    d.create_volume(kImage, fill_image);
    uint64_t total_before = statvfs_total(mount_dir);
    REQUIRE(loop_file_size(image_file) == (512ull << 20));

    refused(d, {{"size", "300MiB"}}, "size");
    refused(d, {{"size", ""}}, "size");
    refused(d, {{"size", "lots"}}, "size");
    refused(d, {{"source", "/elsewhere.img"}}, "source");
    // A refused key among good ones changes nothing.
    refused(d, {{"size", "1GiB"}, {"source", "/elsewhere.img"}}, "source");
    CHECK(loop_file_size(image_file) == (512ull << 20));
    CHECK(statvfs_total(mount_dir) == total_before);

    d.update_pool({{"size", "1GiB"}});
    CHECK(loop_file_size(image_file) == (1ull << 30));
    uint64_t total_after = statvfs_total(mount_dir);
    CHECK(total_after > total_before + (400ull << 20));
    CHECK(d.pool_usage().space_total == total_after);
    // Still sparse, and the volumes are still there.
    struct stat st {};
    REQUIRE(::stat(image_file.c_str(), &st) == 0);
    CHECK(st.st_blocks * 512 < (200ll << 20));
    CHECK(read_text(d.volume_path(kImage) / "rootfs/etc/hostname") == "image\n");

    // The old size is now a shrink.
    refused(d, {{"size", "512MiB"}}, "size");
    CHECK(loop_file_size(image_file) == (1ull << 30));

    // Remounted elsewhere, the pool keeps its new size.
    d.unmount_pool();
    auto params = pool.params;
    params.config["size"] = "1GiB";
    BtrfsDriver again(params);
    again.mount_pool();
    CHECK(statvfs_total(mount_dir) == total_after);
    again.unmount_pool();
    d.mount_pool();
}

TEST_CASE("btrfs: btrfs.mount_options remounts the pool; bad options are refused and the old ones stay") {
    BtrfsPool pool;
    StorageDriver& d = *pool.driver;
    fs::path mount_dir = pool.tmp.path() / "pool";
    CHECK(mount_options_of(mount_dir).find("user_subvol_rm_allowed") != std::string::npos);
    d.update_pool({{"btrfs.mount_options", "user_subvol_rm_allowed,compress=zstd"}});
    CHECK(mount_options_of(mount_dir).find("compress=zstd") != std::string::npos);
    refused(d, {{"btrfs.mount_options", "no_such_option"}}, "btrfs.mount_options");
    CHECK(is_mount_point(mount_dir));
    CHECK(mount_options_of(mount_dir).find("compress=zstd") != std::string::npos);
}
