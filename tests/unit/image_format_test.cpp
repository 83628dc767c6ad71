// The LXD image format: both layouts, every compression, LXD's fingerprints, metadata round trip,
// export naming, and hostile archives refused without touching the store.
#include <doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>

#include "image/image_files.hpp"
#include "core/clock.hpp"
#include "image/image_manage.hpp"
#include "image/metadata.hpp"
#include "image/tarball.hpp"
#include "libinstance/error.hpp"
#include "support/tar_writer.hpp"
#include "support/temp_state.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

std::string metadata_yaml(const std::string& arch = host_architecture()) {
    return "architecture: " + arch +
           "\ncreation_date: 1700000000\nexpiry_date: 1900000000\nproperties:\n  os: test\n  release: one\n"
           "templates:\n  /etc/hostname:\n    when: [create, copy]\n    template: hostname.tpl\n    create_only: true\n"
           "    properties:\n      k: v\n";
}

std::vector<TarEntry> unified_entries() {
    return {file_entry("metadata.yaml", metadata_yaml()), dir_entry("templates"),
            file_entry("templates/hostname.tpl", "{{ container.name }}\n"), dir_entry("rootfs"),
            dir_entry("rootfs/etc"), file_entry("rootfs/etc/os-release", "ID=test\n"),
            symlink_entry("rootfs/bin", "usr/bin"), hardlink_entry("rootfs/etc/os-release2", "rootfs/etc/os-release")};
}

std::vector<TarEntry> meta_entries() {
    return {file_entry("metadata.yaml", metadata_yaml()), dir_entry("templates"),
            file_entry("templates/hostname.tpl", "{{ container.name }}\n")};
}

std::vector<TarEntry> rootfs_entries() {
    return {dir_entry("."), dir_entry("etc"), file_entry("etc/os-release", "ID=split\n"), symlink_entry("bin", "usr/bin"),
            hardlink_entry("etc/os-release2", "etc/os-release")};
}

std::string concat_sha(const fs::path& a, const fs::path& b) {
    Sha256 sha;
    sha.update(read_file(a, 1 << 26));
    sha.update(read_file(b, 1 << 26));
    return sha.hex_digest();
}

fs::path make_squashfs(const fs::path& dir) {
    fs::path tree = dir / "sqtree";
    fs::create_directories(tree / "etc");
    std::ofstream(tree / "etc/os-release") << "ID=squash\n";
    fs::path out = dir / "rootfs.squashfs";
    REQUIRE(std::system(("mksquashfs " + tree.string() + " " + out.string() + " -quiet -noappend -all-root >/dev/null").c_str()) == 0);
    return out;
}

// The store holds no image and no file (only its empty temporary area, the images directory).
void check_store_unchanged(Manager& mgr, const fs::path& state) {
    CHECK(mgr.images().list("default").empty());
    CHECK(mgr.images().list_aliases("default").empty());
    CHECK(fs::is_empty(state / "images"));
}

struct Refusal {
    ErrorCode code;
    std::string key;
    std::string message;
};

Refusal import_error(Manager& mgr, const fs::path& file, const ImageImportOptions& opts = {}) {
    try {
        mgr.images().import_file("default", file, opts);
    } catch (const Error& e) {
        return {e.code(), e.key(), e.what()};
    }
    FAIL("imported ", file.string());
    return {};
}

void expect_refused(const std::vector<TarEntry>& entries, const std::string& key, const std::string& needle,
                    const std::string& compression = "gzip") {
    CAPTURE(needle);
    TempDir dir("li-hostile");
    fs::path file = dir.path() / "hostile.tar";
    write_tar(file, entries, compression);
    auto mgr = Manager::open(dir.path() / "state");
    Refusal r = import_error(*mgr, file);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == key);
    CHECK_MESSAGE(r.message.find(needle) != std::string::npos, r.message);
    check_store_unchanged(*mgr, dir.path() / "state");
    CHECK_FALSE(fs::exists("/etc/pwned-by-image"));
}

std::string other_architecture() { return host_architecture() == "s390x" ? "x86_64" : "s390x"; }

}  // namespace

TEST_CASE("a unified image in every compression: LXD's fingerprint, metadata and export name") {
    TempDir dir("li-unified");
    auto mgr = Manager::open(dir.path() / "state");
    const std::vector<std::pair<std::string, std::string>> compressions{
        {"gzip", ".tar.gz"}, {"xz", ".tar.xz"}, {"zstd", ".tar.zst"}, {"bzip2", ".tar.bz2"}, {"none", ".tar"}};
    int n = 0;
    for (const auto& [compression, ext] : compressions) {
        CAPTURE(compression);
        fs::path file = dir.path() / ("image" + ext);
        auto entries = unified_entries();
        entries.push_back(file_entry("rootfs/etc/unique", compression));  // a distinct fingerprint each
        write_tar(file, entries, compression);
        api::Image image = mgr->images().import_file("default", file);
        CHECK(image.fingerprint == sha256_file(file));
        CHECK(image.architecture == normalize_architecture(host_architecture()));
        CHECK(image.properties.at("os") == "test");
        CHECK(image.created_at.rfind("2023-11-14T22:13:20", 0) == 0);
        CHECK(image.expires_at.rfind("2030-03-17T17:46:40", 0) == 0);
        CHECK(image.size == static_cast<int64_t>(fs::file_size(file)));
        CHECK(fs::exists(dir.path() / "state/images" / image.fingerprint));
        CHECK_FALSE(fs::exists(dir.path() / "state/images" / (image.fingerprint + ".rootfs")));

        fs::path out = dir.path() / ("out-" + compression);
        fs::create_directories(out);
        ImageExportResult res = mgr->images().export_image("default", image.fingerprint.substr(0, 12), out);
        CHECK(res.metadata == fs::absolute(out / (image.fingerprint + ext)));
        CHECK(res.rootfs.empty());
        CHECK(sha256_file(res.metadata) == image.fingerprint);
        ++n;
    }
    CHECK(mgr->images().list("default").size() == static_cast<size_t>(n));
}

TEST_CASE("a split image (metadata + rootfs tarball or squashfs): fingerprint over both files, stored like LXD") {
    TempDir dir("li-split");
    auto mgr = Manager::open(dir.path() / "state");
    fs::path meta = dir.path() / "meta.tar.xz";
    write_tar(meta, meta_entries(), "xz");

    SUBCASE("rootfs tarball") {
        fs::path rootfs = dir.path() / "rootfs.tar.zst";
        write_tar(rootfs, rootfs_entries(), "zstd");
        ImageImportOptions opts;
        opts.rootfs_path = rootfs;
        opts.expected_fingerprint = concat_sha(meta, rootfs);
        opts.alias = "split";
        opts.properties = {{"release", "two"}, {"extra", "yes"}};
        opts.public_ = true;
        opts.auto_update = true;
        opts.cached = true;
        api::Image image = mgr->images().import_file("default", meta, opts);
        CHECK(image.fingerprint == concat_sha(meta, rootfs));
        CHECK(image.fingerprint != sha256_file(meta));
        CHECK(image.properties == std::map<std::string, std::string>{{"os", "test"}, {"release", "two"}, {"extra", "yes"}});
        CHECK(image.public_);
        CHECK(image.auto_update);
        CHECK(image.cached);
        CHECK(image.size == static_cast<int64_t>(fs::file_size(meta) + fs::file_size(rootfs)));
        CHECK(read_file(dir.path() / "state/images" / image.fingerprint) == read_file(meta));
        CHECK(read_file(dir.path() / "state/images" / (image.fingerprint + ".rootfs")) == read_file(rootfs));

        // Unpacked: metadata.yaml and templates from the first file, rootfs/ from the second.
        fs::path dest = dir.path() / "unpacked";
        OperationContext ctx;
        unpack_image(stored_image_files(dir.path() / "state/images", image.fingerprint), dest, UnpackLimits{}, ctx, "p");
        CHECK(read_file(dest / "rootfs/etc/os-release") == "ID=split\n");
        CHECK(fs::is_symlink(dest / "rootfs/bin"));
        CHECK(fs::equivalent(dest / "rootfs/etc/os-release", dest / "rootfs/etc/os-release2"));
        CHECK(fs::exists(dest / "templates/hostname.tpl"));
        CHECK(parse_image_metadata(read_file(dest / "metadata.yaml")).properties.at("os") == "test");

        // Exported back unchanged, named as LXD: into a directory, or to a file name + ".root".
        fs::path out = dir.path() / "out";
        fs::create_directories(out);
        ImageExportResult res = mgr->images().export_image("default", "split", out);
        CHECK(res.metadata == fs::absolute(out / ("meta-" + image.fingerprint + ".tar.xz")));
        CHECK(res.rootfs == fs::absolute(out / (image.fingerprint + ".tar.zst")));
        CHECK(concat_sha(res.metadata, res.rootfs) == image.fingerprint);
        res = mgr->images().export_image("default", "split", out / "named");
        CHECK(res.metadata == fs::absolute(out / "named"));
        CHECK(res.rootfs == fs::absolute(out / "named.root"));
        CHECK(concat_sha(out / "named", out / "named.root") == image.fingerprint);

        // Re-imported from its export: the same fingerprint (here: already present).
        ImageImportOptions again;
        again.rootfs_path = out / "named.root";
        Refusal r = import_error(*mgr, out / "named", again);
        CHECK(r.code == ErrorCode::AlreadyExists);
        CHECK(r.message.find(image.fingerprint) != std::string::npos);
    }
    SUBCASE("rootfs squashfs") {
        fs::path rootfs = make_squashfs(dir.path());
        ImageImportOptions opts;
        opts.rootfs_path = rootfs;
        api::Image image = mgr->images().import_file("default", meta, opts);
        CHECK(image.fingerprint == concat_sha(meta, rootfs));
        fs::path dest = dir.path() / "unpacked";
        OperationContext ctx;
        unpack_image(stored_image_files(dir.path() / "state/images", image.fingerprint), dest, UnpackLimits{}, ctx, "p");
        CHECK(read_file(dest / "rootfs/etc/os-release") == "ID=squash\n");
        CHECK(fs::exists(dest / "metadata.yaml"));
        ImageExportResult res = mgr->images().export_image("default", image.fingerprint, dir.path());
        CHECK(res.rootfs == fs::absolute(dir.path() / (image.fingerprint + ".squashfs")));
        CHECK(concat_sha(res.metadata, res.rootfs) == image.fingerprint);
    }
}

TEST_CASE("a unified tarball export to a file name gets the compression's extension, as lxc does") {
    TempDir dir("li-export-name");
    auto mgr = Manager::open(dir.path() / "state");
    fs::path file = dir.path() / "in.tar.gz";
    write_tar(file, unified_entries(), "gzip");
    api::Image image = mgr->images().import_file("default", file);
    ImageExportResult res = mgr->images().export_image("default", image.fingerprint, dir.path() / "mine");
    CHECK(res.metadata == fs::absolute(dir.path() / "mine.tar.gz"));
    CHECK(sha256_file(res.metadata) == image.fingerprint);
    try {
        mgr->images().export_image("default", image.fingerprint, dir.path() / "missing-dir/x");
        FAIL("exported into a missing directory");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(e.key() == "target");
    }
}

TEST_CASE("the expected fingerprint is checked, and a mismatch leaves the store unchanged") {
    TempDir dir("li-expected");
    auto mgr = Manager::open(dir.path() / "state");
    fs::path file = dir.path() / "image.tar.gz";
    write_tar(file, unified_entries(), "gzip");
    ImageImportOptions opts;
    opts.expected_fingerprint = std::string(64, 'a');
    opts.alias = "x";
    Refusal r = import_error(*mgr, file, opts);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == "expected_fingerprint");
    CHECK(r.message.find("fingerprint mismatch: expected " + std::string(64, 'a')) != std::string::npos);
    CHECK(r.message.find(sha256_file(file)) != std::string::npos);
    check_store_unchanged(*mgr, dir.path() / "state");

    opts.expected_fingerprint = "not-hex";
    r = import_error(*mgr, file, opts);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == "expected_fingerprint");
    CHECK(r.message.find("\"not-hex\"") != std::string::npos);

    opts.expected_fingerprint = sha256_file(file);
    for (auto& c : opts.expected_fingerprint) c = static_cast<char>(std::toupper(c));
    CHECK(mgr->images().import_file("default", file, opts).fingerprint == sha256_file(file));
}

TEST_CASE("hostile tarballs are refused naming the entry, and nothing is written") {
    TarEntry md = file_entry("metadata.yaml", metadata_yaml());
    TarEntry rootfs = dir_entry("rootfs");
    expect_refused({md, rootfs, file_entry("rootfs/../../etc/pwned-by-image", "x")}, "rootfs/../../etc/pwned-by-image",
                   "escaping its directory");
    expect_refused({md, rootfs, file_entry("/etc/pwned-by-image", "x")}, "/etc/pwned-by-image", "absolute path");
    expect_refused({md, rootfs, hardlink_entry("rootfs/hl", "../../etc/shadow")}, "../../etc/shadow", "escaping");
    expect_refused({md, rootfs, hardlink_entry("rootfs/hl", "/etc/shadow")}, "/etc/shadow", "absolute path");
    expect_refused({md, rootfs, hardlink_entry("rootfs/hl", "metadata.yaml")}, "rootfs/hl", "leaving the rootfs");
    expect_refused({md, rootfs, symlink_entry("rootfs/link", "/etc"), file_entry("rootfs/link/pwned-by-image", "x")},
                   "rootfs/link/pwned-by-image", "through the symlink \"rootfs/link\"");
    expect_refused({md, symlink_entry("rootfs", "/etc"), file_entry("rootfs/pwned-by-image", "x")}, "rootfs",
                   "its rootfs is a symlink");
    expect_refused({md, rootfs, symlink_entry("rootfs/link", "/etc"), hardlink_entry("rootfs/hl", "rootfs/link/shadow")},
                   "rootfs/hl", "through the symlink \"rootfs/link\"");
    expect_refused({md, rootfs, dir_entry("templates"), device_entry("templates/null", AE_IFCHR)}, "templates/null",
                   "character device node in its metadata");
    expect_refused({md, rootfs, dir_entry("templates"), device_entry("templates/fifo", AE_IFIFO)}, "templates/fifo",
                   "fifo in its metadata");
    expect_refused({md, rootfs, dir_entry("templates"), symlink_entry("templates/t.tpl", "/etc/shadow")},
                   "templates/t.tpl", "symlink in its metadata");
    expect_refused({symlink_entry("metadata.yaml", "/etc/passwd"), rootfs}, "metadata.yaml", "not a regular file");
    expect_refused({rootfs, file_entry("rootfs/file", "x")}, "metadata.yaml", "no metadata.yaml");
    expect_refused({md, dir_entry("templates")}, "rootfs", "no rootfs");
    expect_refused({file_entry("metadata.yaml", "architecture: [unclosed"), rootfs}, "metadata.yaml", "invalid metadata.yaml");
    expect_refused({file_entry("metadata.yaml", "properties: {}\n"), rootfs}, "metadata.yaml:architecture", "architecture");
    expect_refused({file_entry("metadata.yaml", "architecture: x\nproperties: [1]\n"), rootfs}, "metadata.yaml:properties",
                   "properties");
    expect_refused({file_entry("metadata.yaml", std::string(2 << 20, '#')), rootfs}, "metadata.yaml", "metadata.yaml is larger");
    expect_refused({file_entry("metadata.yaml", metadata_yaml(other_architecture())), rootfs}, "metadata.yaml:architecture",
                   "architecture \"" + other_architecture() + "\" cannot run on this host");
}

TEST_CASE("truncated, garbage and oversized archives are refused, naming the file") {
    TempDir dir("li-broken");
    auto mgr = Manager::open(dir.path() / "state");
    fs::path good = dir.path() / "good.tar.gz";
    auto entries = unified_entries();
    entries.push_back(file_entry("rootfs/big", std::string(200000, 'q') + std::to_string(std::rand())));
    write_tar(good, entries, "none");

    fs::path truncated = dir.path() / "truncated.tar";
    std::string bytes = read_file(good, 1 << 26);
    write_file_atomic(truncated, bytes.substr(0, bytes.size() / 2));
    Refusal r = import_error(*mgr, truncated);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == truncated.string());
    CHECK(r.message.find("truncated") != std::string::npos);

    fs::path garbage = dir.path() / "garbage.tar.gz";
    write_file_atomic(garbage, "\x1f\x8b this is not gzip at all");
    r = import_error(*mgr, garbage);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == garbage.string());

    ImageImportOptions small;
    small.max_unpack_bytes = 100000;
    r = import_error(*mgr, good, small);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == "rootfs/big");
    CHECK(r.message.find("is too large") != std::string::npos);
    CHECK(r.message.find("images.unpack_max_size") != std::string::npos);
    check_store_unchanged(*mgr, dir.path() / "state");

    // A split image whose rootfs is garbage, or escapes.
    fs::path meta = dir.path() / "meta.tar.gz";
    write_tar(meta, meta_entries(), "gzip");
    ImageImportOptions split;
    split.rootfs_path = garbage;

    r = import_error(*mgr, meta, split);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == garbage.string());
    fs::path evil_rootfs = dir.path() / "evil-rootfs.tar.gz";
    write_tar(evil_rootfs, {dir_entry("etc"), file_entry("../etc/pwned-by-image", "x")}, "gzip");
    split.rootfs_path = evil_rootfs;
    r = import_error(*mgr, meta, split);
    CHECK(r.key == "../etc/pwned-by-image");
    fs::path truncated_sq = dir.path() / "truncated.squashfs";
    std::string sq = read_file(make_squashfs(dir.path()), 1 << 26);
    write_file_atomic(truncated_sq, sq.substr(0, 200));
    split.rootfs_path = truncated_sq;
    r = import_error(*mgr, meta, split);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.key == truncated_sq.string());
    check_store_unchanged(*mgr, dir.path() / "state");
}

TEST_CASE("decompression bombs are stopped as they inflate") {
    TempDir dir("li-bomb");
    fs::path bomb = dir.path() / "bomb.tar.zst";
    // 200 MB of zeros in a few hundred kB: refused at a 1 MiB floor and ratio 10 before the
    // entry is read (its declared size), and while inflating when the size is not declared up front.
    write_tar(bomb, {file_entry("metadata.yaml", metadata_yaml()), dir_entry("rootfs"), zeros_entry("rootfs/zeros", 200 << 20)},
              "zstd");
    UnpackLimits limits;
    limits.max_ratio = 10;
    limits.ratio_floor = 1 << 20;
    try {
        scan_archive(bomb, ArchiveRole::Unified, limits);
        FAIL("bomb accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "rootfs/zeros");
        CHECK(std::string(e.what()).find("decompression bomb") != std::string::npos);
        CHECK(std::string(e.what()).find("images.unpack_max_ratio") != std::string::npos);
    }
    fs::path dest = dir.path() / "dest";
    fs::create_directories(dest);
    CHECK_THROWS_AS(unpack_archive(bomb, ArchiveRole::Unified, dest, limits, {}), Error);
    // Many entries each small enough: caught on the running total.
    std::vector<TarEntry> many{file_entry("metadata.yaml", metadata_yaml()), dir_entry("rootfs")};
    for (int i = 0; i < 40; i++) many.push_back(zeros_entry("rootfs/z" + std::to_string(i), 1 << 20));
    fs::path many_file = dir.path() / "many.tar.xz";
    write_tar(many_file, many, "xz");
    try {
        scan_archive(many_file, ArchiveRole::Unified, limits);
        FAIL("bomb accepted");
    } catch (const Error& e) {
        CHECK(e.key() == many_file.string());
        CHECK(std::string(e.what()).find("decompression bomb") != std::string::npos);
    }
    // Through the manager: its settings apply.
    auto mgr = Manager::open(dir.path() / "state");
    mgr->set_config("images.unpack_max_ratio", "10");
    ImageImportOptions opts;
    opts.max_unpack_bytes = 100 << 20;
    Refusal r = import_error(*mgr, bomb, opts);
    CHECK(r.code == ErrorCode::InvalidArgument);
    CHECK(r.message.find("too large") != std::string::npos);
    check_store_unchanged(*mgr, dir.path() / "state");
}

TEST_CASE("a symlink planted by an earlier entry cannot make unpacking write outside") {
    TempDir dir("li-symlink-unpack");
    fs::path outside = dir.path() / "outside";
    fs::create_directories(outside);
    fs::path file = dir.path() / "evil.tar.gz";
    write_tar(file, {file_entry("metadata.yaml", metadata_yaml()), dir_entry("rootfs"),
                     symlink_entry("rootfs/link", outside.string()), file_entry("rootfs/link/pwned", "x")},
              "gzip");
    fs::path dest = dir.path() / "dest";
    OperationContext ctx;
    CHECK_THROWS_AS(unpack_image(ImageFiles{file, {}}, dest, UnpackLimits{}, ctx, "p"), Error);
    CHECK_FALSE(fs::exists(outside / "pwned"));
    CHECK_FALSE(fs::exists(dest));
}

TEST_CASE("image properties, public, auto_update and expiry are updated, and aliases managed") {
    TempDir dir("li-image-update");
    auto mgr = Manager::open(dir.path() / "state");
    fs::path file = dir.path() / "image.tar.gz";
    write_tar(file, unified_entries(), "gzip");
    std::mutex events_mutex;
    std::vector<std::string> actions;
    EventFilter filter;
    filter.types = {"lifecycle"};
    auto sub = mgr->events().subscribe(filter, [&](const std::string& text) {
        auto doc = nlohmann::json::parse(text);
        std::lock_guard lock(events_mutex);
        actions.push_back(doc["metadata"]["action"].get<std::string>() + " " + doc["metadata"]["source"].get<std::string>());
    });
    ImageImportOptions opts;
    opts.alias = "first";
    api::Image image = mgr->images().import_file("default", file, opts);

    api::ImagePut put = api::image_put_of(image);
    put.properties["new"] = "value";
    put.properties.erase("release");
    put.public_ = true;
    put.auto_update = true;
    put.expires_at = "2031-01-02T03:04:05Z";
    api::Image updated = mgr->images().update("default", "first", put);
    CHECK(updated.properties == std::map<std::string, std::string>{{"os", "test"}, {"new", "value"}});
    CHECK(updated.public_);
    CHECK(updated.auto_update);
    CHECK(updated.expires_at == "2031-01-02T03:04:05Z");
    put.expires_at = "next tuesday";
    try {
        mgr->images().update("default", "first", put);
        FAIL("bad expires_at accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "expires_at");
        CHECK(std::string(e.what()).find("next tuesday") != std::string::npos);
    }
    CHECK(mgr->images().get("default", "first").expires_at == "2031-01-02T03:04:05Z");
    CHECK(api::image_put_from_json(api::to_json(api::image_put_of(updated))).properties == updated.properties);

    mgr->images().create_alias("default", "second", image.fingerprint, "the second");
    mgr->images().rename_alias("default", "first", "renamed");
    auto aliases = mgr->images().list_aliases("default");
    REQUIRE(aliases.size() == 2);
    CHECK(aliases[0].name == "renamed");
    CHECK(aliases[0].target == image.fingerprint);
    CHECK(aliases[1].name == "second");
    CHECK(aliases[1].description == "the second");
    CHECK(mgr->images().get_alias("default", "second").target == image.fingerprint);
    mgr->images().update_alias("default", "second", image.fingerprint, "changed");
    CHECK(mgr->images().get_alias("default", "second").description == "changed");
    auto expect_error = [](auto fn, ErrorCode code, const std::string& key, const std::string& needle) {
        try {
            fn();
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == code);
            CHECK(e.key() == key);
            CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
        }
    };
    expect_error([&] { mgr->images().rename_alias("default", "nope", "x"); }, ErrorCode::NotFound, "alias", "\"nope\"");
    expect_error([&] { mgr->images().rename_alias("default", "renamed", "second"); }, ErrorCode::AlreadyExists, "name", "\"second\"");
    expect_error([&] { mgr->images().get_alias("default", "first"); }, ErrorCode::NotFound, "alias", "\"first\"");
    CHECK(mgr->images().get("default", "renamed").fingerprint == image.fingerprint);
    mgr->images().delete_alias("default", "second");

    const std::string fp = image.fingerprint;
    const std::vector<std::string> expected{
        "image-created /1.0/images/" + fp, "image-alias-created /1.0/images/aliases/first", "image-updated /1.0/images/" + fp,
        "image-alias-created /1.0/images/aliases/second", "image-alias-renamed /1.0/images/aliases/renamed",
        "image-alias-updated /1.0/images/aliases/second", "image-alias-deleted /1.0/images/aliases/second"};
    for (int i = 0; i < 200; ++i) {
        {
            std::lock_guard lock(events_mutex);
            if (actions.size() >= expected.size()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(events_mutex);
    CHECK(actions == expected);
}

TEST_CASE("cached images unused for images.remote_cache_expiry days are pruned, when the manager opens too") {
    TempDir dir("li-prune");
    fs::path state = dir.path() / "state";
    std::string cached_fp, kept_fp;
    {
        auto mgr = Manager::open(state);
        CHECK(mgr->get_config("images.remote_cache_expiry") == "10");
        fs::path a = dir.path() / "a.tar.gz";
        fs::path b = dir.path() / "b.tar.gz";
        auto entries = unified_entries();
        write_tar(a, entries, "gzip");
        entries.push_back(file_entry("rootfs/b", "b"));
        write_tar(b, entries, "gzip");
        ImageImportOptions cached;
        cached.cached = true;
        cached_fp = mgr->images().import_file("default", a, cached).fingerprint;
        kept_fp = mgr->images().import_file("default", b).fingerprint;
        CHECK(mgr->images().prune_expired().empty());  // just downloaded
        mgr->set_config("images.remote_cache_expiry", "3");
        try {
            mgr->set_config("images.remote_cache_expiry", "soon");
            FAIL("bad value accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            CHECK(e.key() == "images.remote_cache_expiry");
        }
        try {
            mgr->set_config("images.no_such_key", "1");
            FAIL("unknown key accepted");
        } catch (const Error& e) {
            CHECK(e.key() == "images.no_such_key");
        }
    }
    {
        // Both images were uploaded long ago; only the cached one expires.
        SQLite::Database db((state / "database/local.db").string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE images SET uploaded_at = '2020-01-01T00:00:00Z'");
    }
    auto mgr = Manager::open(state);
    auto left = mgr->images().list("default");
    REQUIRE(left.size() == 1);
    CHECK(left[0].fingerprint == kept_fp);
    CHECK_FALSE(fs::exists(state / "images" / cached_fp));
    CHECK(mgr->config().at("images.remote_cache_expiry") == "3");
}

TEST_CASE("metadata.yaml round-trips every field, architecture aliases are normalised") {
    ImageMetadata md = parse_image_metadata(metadata_yaml("amd64"));
    ImageMetadata again = parse_image_metadata(render_image_metadata(md));
    CHECK(again.architecture == "amd64");
    CHECK(again.creation_date == 1700000000);
    CHECK(again.expiry_date == 1900000000);
    CHECK(again.properties == md.properties);
    REQUIRE(again.templates.count("/etc/hostname") == 1);
    const auto& t = again.templates.at("/etc/hostname");
    CHECK(t.when == std::vector<std::string>{"create", "copy"});
    CHECK(t.template_file == "hostname.tpl");
    CHECK(t.create_only);
    CHECK(t.properties.at("k") == "v");
    CHECK(normalize_architecture("amd64") == "x86_64");
    CHECK(normalize_architecture("arm64") == "aarch64");
    CHECK(normalize_architecture("i386") == "i686");
    CHECK(architecture_runs_on_host(host_architecture()));
    CHECK_FALSE(architecture_runs_on_host(other_architecture()));
    CHECK(rfc3339_to_epoch("2023-11-14T22:13:20Z") == 1700000000);
    CHECK(rfc3339_to_epoch("2023-11-14T23:13:20.5+01:00") == 1700000000);
    CHECK_FALSE(rfc3339_to_epoch("yesterday"));
}
