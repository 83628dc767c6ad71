#include <doctest.h>

#include "integration/shared_manager.hpp"
#include "support/tar_writer.hpp"
#include "image/metadata.hpp"
#include "sys/sha256.hpp"

#include <algorithm>
#include <fstream>
#include <thread>

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

TEST_CASE("the busybox builder is deterministic and its fingerprint is the tarball's sha256, as in LXD") {
    TempDir out("li-image-out");
    ImageBuildOptions opts;
    opts.output_path = out.path() / "busybox.tar.gz";
    auto image = shared().mgr->images().build("default", opts);
    CHECK(image.fingerprint == sha256_file(opts.output_path));
    CHECK(image.fingerprint == shared().mgr->images().get("default", "busybox").fingerprint);
    CHECK(image.architecture == "x86_64");
    CHECK(image.properties.at("os") == "busybox");
    CHECK(image.size == static_cast<int64_t>(fs::file_size(opts.output_path)));

    // The same file imported into another store gets the same fingerprint.
    TempDir other("li-image-other");
    auto mgr2 = Manager::open(other.path());
    ImageImportOptions import_opts;
    import_opts.alias = "bb";
    auto imported = mgr2->images().import_file("default", opts.output_path, import_opts);
    CHECK(imported.fingerprint == image.fingerprint);
    REQUIRE(imported.aliases.size() == 1);
    CHECK(imported.aliases[0].name == "bb");
    CHECK(mgr2->images().get("default", image.fingerprint.substr(0, 12)).fingerprint == image.fingerprint);

    try {
        mgr2->images().import_file("default", opts.output_path);
        FAIL("second import succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::AlreadyExists);
        CHECK(std::string(e.what()).find(image.fingerprint) != std::string::npos);
    }

    mgr2->images().create_alias("default", "bb2", "bb");
    CHECK(mgr2->images().get("default", "bb2").aliases.size() == 2);
    mgr2->images().delete_alias("default", "bb2");
    CHECK_THROWS_AS(mgr2->images().get("default", "bb2"), Error);
    // An instance unpacks the image on the pool; deleting the image removes that volume once the
    // last instance layered over it is gone.
    api::InstancesPost post;
    post.name = "unpacked1";
    post.source.alias = "bb";
    mgr2->instances().create("default", post);
    CHECK(fs::exists(other.path() / "storage-pools/default/images" / image.fingerprint));
    mgr2->images().remove("default", "bb");
    CHECK(mgr2->images().list("default").empty());
    CHECK(fs::exists(other.path() / "storage-pools/default/images" / image.fingerprint));
    mgr2->instances().get("default", "unpacked1").remove();
    CHECK_FALSE(fs::exists(other.path() / "storage-pools/default/images" / image.fingerprint));
    CHECK_FALSE(fs::exists(other.path() / "images" / image.fingerprint));
}

TEST_CASE("builds of the same image at once store it once, and each alias lands on it") {
    // Builders are deterministic, so concurrent builds find the same fingerprint: the first stores
    // the image, the others only add their alias (they used to fail with AlreadyExists).
    TempDir dir("li-image-concurrent");
    auto mgr = Manager::open(dir.path());
    std::vector<std::thread> builders;
    std::vector<std::string> failures(4);
    for (int i = 0; i < 4; ++i)
        builders.emplace_back([&, i] {
            ImageBuildOptions opts;
            opts.alias = i % 2 ? "bb-odd" : "bb-even";
            try {
                mgr->images().build("default", opts);
            } catch (const std::exception& e) {
                failures[i] = e.what();
            }
        });
    for (auto& t : builders) t.join();
    for (const auto& f : failures) CHECK_MESSAGE(f.empty(), f);
    auto images = mgr->images().list("default");
    REQUIRE(images.size() == 1);
    std::vector<std::string> aliases;
    for (const auto& a : images[0].aliases) aliases.push_back(a.name);
    std::sort(aliases.begin(), aliases.end());
    CHECK(aliases == std::vector<std::string>{"bb-even", "bb-odd"});
    // The losers' temporary tarballs are gone: the store holds the one image file.
    CHECK(std::distance(fs::directory_iterator(dir.path() / "images"), fs::directory_iterator()) == 1);
}

namespace {
void expect_import_refused(const std::vector<TarEntry>& entries, const std::string& needle) {
    TempDir dir("li-hostile");
    fs::path tarball = dir.path() / "hostile.tar.gz";
    write_tar_gz(tarball, entries);
    auto mgr = Manager::open(dir.path() / "state");
    try {
        mgr->images().import_file("default", tarball);
        FAIL("hostile image imported: ", needle);
    } catch (const Error& e) {
        CHECK_MESSAGE(e.code() == ErrorCode::InvalidArgument, e.what());
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
    CHECK(mgr->images().list("default").empty());
    CHECK(fs::is_empty(dir.path() / "state" / "images"));
}
}  // namespace

TEST_CASE("hostile or broken image tarballs are refused, naming the offending entry") {
    TarEntry md = file_entry("metadata.yaml", kTestMetadata);
    TarEntry rootfs = dir_entry("rootfs");
    expect_import_refused({md, rootfs, file_entry("rootfs/../../escape", "x")}, "rootfs/../../escape");
    expect_import_refused({md, rootfs, file_entry("/etc/evil", "x")}, "/etc/evil");
    expect_import_refused({md, rootfs, hardlink_entry("rootfs/hl", "../../etc/shadow")}, "../../etc/shadow");
    expect_import_refused({rootfs, file_entry("rootfs/file", "x")}, "no metadata.yaml");
    expect_import_refused({md, dir_entry("templates")}, "no rootfs");
    expect_import_refused({file_entry("metadata.yaml", "architecture: [unclosed"), rootfs}, "metadata.yaml");
    expect_import_refused({file_entry("metadata.yaml", "properties: {}\n"), rootfs}, "architecture");
    expect_import_refused({file_entry("metadata.yaml", std::string(2 << 20, '#')), rootfs}, "metadata.yaml is larger");
}

TEST_CASE("a symlink in an image cannot make unpacking write outside the volume") {
    TempDir dir("li-symlink");
    fs::path outside = dir.path() / "outside";
    fs::create_directories(outside);
    fs::path tarball = dir.path() / "symlink.tar.gz";
    write_tar_gz(tarball, {file_entry("metadata.yaml", kTestMetadata), dir_entry("rootfs"),
                           symlink_entry("rootfs/link", outside.string()), file_entry("rootfs/link/pwned", "owned")});
    auto mgr = Manager::open(dir.path() / "state");
    ImageImportOptions opts;
    opts.alias = "evil";
    // Refused at import (the unpack checks the same again, see tests/unit/image_format_test.cpp).
    try {
        mgr->images().import_file("default", tarball, opts);
        FAIL("an image writing through a symlink was imported");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "rootfs/link/pwned");
        CHECK(std::string(e.what()).find("through the symlink \"rootfs/link\"") != std::string::npos);
    }
    CHECK(mgr->images().list("default").empty());
    CHECK_FALSE(fs::exists(outside / "pwned"));
    CHECK(mgr->instances().list("default").empty());
    CHECK_FALSE(fs::exists(dir.path() / "state/storage-pools/default/containers/evil1"));
}

TEST_CASE("an instance from a split image (metadata + rootfs tarball, and squashfs) gets its files; last_used_at is set") {
    TempDir dir("li-split-launch");
    std::string md = "architecture: " + std::string(host_architecture()) + "\ncreation_date: 1700000000\n";
    write_tar(dir.path() / "meta.tar.xz", {file_entry("metadata.yaml", md)}, "xz");
    write_tar(dir.path() / "rootfs.tar.zst",
              {dir_entry("."), dir_entry("etc"), file_entry("etc/os-release", "ID=split\n"), dir_entry("sbin")}, "zstd");
    fs::create_directories(dir.path() / "sq/etc");
    { std::ofstream(dir.path() / "sq/etc/os-release") << "ID=squash\n"; }
    REQUIRE(std::system(("mksquashfs " + (dir.path() / "sq").string() + " " + (dir.path() / "rootfs.squashfs").string() +
                         " -quiet -noappend -all-root >/dev/null").c_str()) == 0);
    auto mgr = Manager::open(dir.path() / "state");
    for (const char* rootfs : {"rootfs.tar.zst", "rootfs.squashfs"}) {
        CAPTURE(rootfs);
        ImageImportOptions opts;
        opts.rootfs_path = dir.path() / rootfs;
        opts.alias = rootfs;
        api::Image image = mgr->images().import_file("default", dir.path() / "meta.tar.xz", opts);
        CHECK(image.last_used_at.empty());
        api::InstancesPost post;
        post.name = std::string("split-") + (std::string(rootfs).ends_with("squashfs") ? "sq" : "tar");
        post.source.alias = rootfs;
        Instance inst = mgr->instances().create("default", post);
        CHECK_FALSE(mgr->images().get("default", rootfs).last_used_at.empty());
        fs::path volume = dir.path() / "state/storage-pools/default/images" / image.fingerprint;
        CHECK(fs::exists(volume / "rootfs/etc/os-release"));
        CHECK(fs::exists(volume / "metadata.yaml"));
        inst.remove();
    }
}
