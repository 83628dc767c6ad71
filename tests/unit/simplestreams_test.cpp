// Simplestreams catalogs: parsing, newest version, architectures, layouts, aliases; remote JSON.
#include <doctest.h>

#include "image/metadata.hpp"
#include "libinstance/api/remote.hpp"
#include "libinstance/error.hpp"
#include "remote/simplestreams.hpp"

using namespace li;

namespace {

std::string host_ss_arch() {
    std::string a = host_architecture();
    if (a == "x86_64") return "amd64";
    if (a == "aarch64") return "arm64";
    return a;
}

std::string catalog() {
    std::string arch = host_ss_arch();
    return R"({"format": "products:1.0", "products": {
  "debian:bookworm:)" + arch + R"(:default": {
    "aliases": "debian/12, debian/bookworm", "arch": ")" + arch + R"(", "os": "Debian", "release": "bookworm",
    "release_title": "12", "variant": "default",
    "versions": {
      "20240101_00:00": {"items": {
        "lxd.tar.xz": {"ftype": "lxd.tar.xz", "path": "images/d/1/lxd.tar.xz", "sha256": "aa", "size": 10,
                       "combined_sha256": "1111", "combined_rootxz_sha256": "1111"},
        "root.tar.xz": {"ftype": "root.tar.xz", "path": "images/d/1/root.tar.xz", "sha256": "bb", "size": 100}}},
      "20240301_00:00": {"items": {
        "lxd.tar.xz": {"ftype": "lxd.tar.xz", "path": "images/d/3/lxd.tar.xz", "sha256": "cc", "size": 11,
                       "combined_squashfs_sha256": "3333"},
        "squashfs": {"ftype": "squashfs", "path": "images/d/3/root.squashfs", "sha256": "dd", "size": 200}}},
      "20240201_00:00": {"items": {
        "lxd_combined.tar.gz": {"ftype": "lxd_combined.tar.gz", "path": "images/d/2/c.tar.gz", "sha256": "2222", "size": 5}}}
    }},
  "alpine:3.19:)" + arch + R"(:default": {
    "aliases": "alpine", "arch": ")" + arch + R"(", "os": "Alpine", "release": "3.19", "variant": "default",
    "versions": {"20240101_00:00": {"items": {
        "lxd_combined.tar.gz": {"ftype": "lxd_combined.tar.gz", "path": "a/c.tar.gz", "sha256": "ABCD", "size": 7}}},
                 "20250101_00:00": {"items": {
        "disk.qcow2": {"ftype": "disk-kvm.img", "path": "a/disk.img", "sha256": "ee", "size": 7}}}}},
  "other:1:otherarch:default": {
    "aliases": "other", "arch": "otherarch", "os": "Other", "release": "1",
    "versions": {"20240101_00:00": {"items": {
        "lxd_combined.tar.gz": {"ftype": "lxd_combined.tar.gz", "path": "o.tar.gz", "sha256": "ffff", "size": 1}}}}}
}})";
}

bool has_alias(const RemoteImage& r, const std::string& name) {
    for (const auto& a : r.image.aliases)
        if (a.name == name) return true;
    return false;
}

}  // namespace

TEST_CASE("simplestreams index: the image catalogs it lists") {
    auto paths = parse_simplestreams_index(R"({"format":"index:1.0","index":{
        "images":{"datatype":"image-downloads","path":"streams/v1/images.json","format":"products:1.0"},
        "other":{"datatype":"content-download","path":"streams/v1/other.json","format":"products:1.0"}}})");
    CHECK(paths == std::vector<std::string>{"streams/v1/images.json"});
    CHECK_THROWS_AS(parse_simplestreams_index("{"), Error);
    CHECK_THROWS_AS(parse_simplestreams_index("[]"), Error);
    CHECK_THROWS_AS(parse_simplestreams_index("{}"), Error);
}

TEST_CASE("simplestreams catalog: newest usable version per product, host architecture only") {
    auto images = simplestreams_images(parse_simplestreams_products(catalog()), host_architecture());
    REQUIRE(images.size() == 2);  // otherarch is filtered out
    const RemoteImage* debian = find_remote_image(images, "debian/12", "alias");
    REQUIRE(debian != nullptr);
    // 20240301 (squashfs) is newer than 20240201 (unified) and 20240101 (root.tar.xz).
    CHECK(debian->image.fingerprint == "3333");
    CHECK(debian->image.properties.at("serial") == "20240301_00:00");
    CHECK(debian->image.properties.at("type") == "squashfs");
    REQUIRE(debian->rootfs.has_value());
    CHECK(debian->rootfs->path == "images/d/3/root.squashfs");
    CHECK(debian->metadata.path == "images/d/3/lxd.tar.xz");
    CHECK(debian->image.size == 211);
    CHECK(debian->image.architecture == host_architecture());
    CHECK(debian->image.created_at == "2024-03-01T00:00:00Z");
    CHECK(debian->aliases == std::vector<std::string>{"debian/12", "debian/bookworm"});
    CHECK(has_alias(*debian, "debian/bookworm/" + host_ss_arch()));
    CHECK(has_alias(*debian, "debian/bookworm/default"));

    // A version with only a VM disk is skipped; the older unified one is used, fingerprints lowercased.
    const RemoteImage* alpine = find_remote_image(images, "alpine", "alias");
    REQUIRE(alpine != nullptr);
    CHECK(alpine->image.fingerprint == "abcd");
    CHECK_FALSE(alpine->rootfs.has_value());
    CHECK(find_remote_image(images, "ABC", "alias") == alpine);  // fingerprint prefix
    CHECK(find_remote_image(images, "nope", "alias") == nullptr);
    CHECK(find_remote_image(images, "other", "alias") == nullptr);
}

TEST_CASE("simplestreams catalog: split root.tar.xz items and ambiguous prefixes") {
    std::string arch = host_ss_arch();
    std::string doc = R"({"products":{"p:)" + arch + R"(":{"aliases":"p","arch":")" + arch + R"(","versions":{"1":{"items":{
        "m":{"ftype":"lxd.tar.xz","path":"m","sha256":"a","size":1,"combined_sha256":"abc1"},
        "r":{"ftype":"root.tar.xz","path":"r","sha256":"b","size":2}}}}},
      "q:)" + arch + R"(":{"aliases":"q","arch":")" + arch + R"(","versions":{"1":{"items":{
        "c":{"ftype":"lxd_combined.tar.gz","path":"c","sha256":"abc2","size":1}}}}}}})";
    auto images = simplestreams_images(parse_simplestreams_products(doc), host_architecture());
    REQUIRE(images.size() == 2);
    const RemoteImage* p = find_remote_image(images, "p", "alias");
    REQUIRE(p != nullptr);
    CHECK(p->image.fingerprint == "abc1");
    CHECK(p->rootfs->ftype == "root.tar.xz");
    try {
        find_remote_image(images, "abc", "source.fingerprint");
        FAIL("an ambiguous prefix was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "source.fingerprint");
        CHECK(std::string(e.what()).find("\"abc\"") != std::string::npos);
    }
}

TEST_CASE("remote and ImagesPost documents") {
    auto r = api::remote_from_json(R"({"name":"images","addr":"https://x","public":true})");
    CHECK(r.url == "https://x");
    CHECK(r.protocol == "simplestreams");
    CHECK(r.public_);
    auto back = api::remote_from_json(api::to_json(r));
    CHECK(back.name == "images");
    auto post = api::images_post_from_json(
        R"({"source":{"type":"image","mode":"pull","server":"images","alias":"debian/12"},"aliases":[{"name":"d"},"e"],"auto_update":true})");
    CHECK(post.source.server == "images");
    CHECK(post.aliases.size() == 2);
    CHECK(post.aliases[1].name == "e");
    CHECK(post.auto_update);
    try {
        api::images_post_from_json(R"({"source":{"mode":"push","server":"x"}})");
        FAIL("push accepted");
    } catch (const Error& e) {
        CHECK(e.key() == "source.mode");
        CHECK(std::string(e.what()).find("push") != std::string::npos);
    }
    try {
        api::images_post_from_json(R"({"source":{"server":"x"},"public":"yes"})");
        FAIL("a string public accepted");
    } catch (const Error& e) {
        CHECK(e.key() == "public");
    }
}
