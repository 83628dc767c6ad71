// Pool configuration: driver defaults and bad keys or values named.
#include <doctest.h>

#include "drivers/pool_fixtures.hpp"
#include "libinstance/error.hpp"
#include "storage/size.hpp"

using namespace li;
using namespace li::test;

namespace {
ErrorCode code_of(const std::function<void()>& fn, std::string* key = nullptr, std::string* what = nullptr) {
    try {
        fn();
    } catch (const Error& e) {
        if (key) *key = e.key();
        if (what) *what = e.what();
        return e.code();
    }
    return ErrorCode::Internal;
}
}  // namespace

TEST_CASE("LXD size strings") {
    CHECK(parse_size("5GiB", "size") == 5ull << 30);
    CHECK(parse_size("500MB", "size") == 500000000ull);
    CHECK(parse_size("1048576", "size") == 1048576ull);
    CHECK(parse_size("1.5GiB", "size") == 1610612736ull);
    CHECK(parse_size("10kB", "size") == 10000ull);
    std::string key, what;
    CHECK(code_of([] { parse_size("5 potatoes", "size"); }, &key, &what) == ErrorCode::InvalidArgument);
    CHECK(key == "size");
    CHECK(what.find("5 potatoes") != std::string::npos);
    CHECK(code_of([] { parse_size("", "size"); }) == ErrorCode::InvalidArgument);
    CHECK(code_of([] { parse_size("-1GB", "size"); }) == ErrorCode::InvalidArgument);
}

TEST_CASE("pool config defaults and validation") {
    TempDir tmp("li-pool-config");
    StoragePoolParams params{"fast", tmp.path() / "storage-pools/fast", tmp.path() / "disks", {}};

    auto dir = storage_pool_config("dir", params);
    CHECK(dir.at("source") == (tmp.path() / "storage-pools/fast").string());
    CHECK(dir.size() == 1);

    auto btrfs = storage_pool_config("btrfs", params);
    CHECK(btrfs.at("source") == (tmp.path() / "disks/fast.img").string());
    CHECK(btrfs.at("size") == "5GiB");
    CHECK(btrfs.at("btrfs.mount_options") == "user_subvol_rm_allowed");

    std::string key, what;
    params.config = {{"bogus.key", "1"}};
    CHECK(code_of([&] { storage_pool_config("dir", params); }, &key, &what) == ErrorCode::InvalidArgument);
    CHECK(key == "bogus.key");
    CHECK(what.find("bogus.key") != std::string::npos);
    CHECK(code_of([&] { storage_pool_config("btrfs", params); }, &key) == ErrorCode::InvalidArgument);
    CHECK(key == "bogus.key");

    params.config = {{"size", "lots"}};
    CHECK(code_of([&] { storage_pool_config("btrfs", params); }, &key, &what) == ErrorCode::InvalidArgument);
    CHECK(key == "size");
    CHECK(what.find("lots") != std::string::npos);
    params.config = {{"size", "10MiB"}};
    CHECK(code_of([&] { storage_pool_config("btrfs", params); }, &key) == ErrorCode::InvalidArgument);
    CHECK(key == "size");

    params.config = {{"source", "relative/path"}};
    CHECK(code_of([&] { storage_pool_config("dir", params); }, &key) == ErrorCode::InvalidArgument);
    CHECK(key == "source");
    // An existing directory that is not on btrfs cannot hold a btrfs pool.
    params.config = {{"source", tmp.path().string()}};
    CHECK(code_of([&] { storage_pool_config("btrfs", params); }, &key, &what) == ErrorCode::InvalidArgument);
    CHECK(key == "source");
    CHECK(what.find("btrfs") != std::string::npos);

    params.config = {};
    CHECK(code_of([&] { storage_pool_config("zfs", params); }, &key, &what) == ErrorCode::NotSupported);
    CHECK(key == "driver");
    CHECK(what.find("zfs") != std::string::npos);
}
