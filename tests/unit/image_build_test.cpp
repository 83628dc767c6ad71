// The debian builder's pure parts (options, mirror discovery, cache keys) and the tarball packer.
#include <doctest.h>
#include <archive.h>
#include <archive_entry.h>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/debian_builder.hpp"
#include "image/tar_pack.hpp"
#include "libinstance/error.hpp"
#include "support/temp_state.hpp"
#include "sys/fs.hpp"

using namespace li;
namespace fs = std::filesystem;

namespace {

void check_invalid(const DebianBuildSpec& spec, const std::string& key, const std::string& value) {
    try {
        validate_debian_spec(spec);
        FAIL("accepted a bad " << key);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == key);
        CHECK_MESSAGE(std::string(e.what()).find(value) != std::string::npos, e.what());
    }
}

struct Entry {
    unsigned type = 0;
    mode_t perm = 0;
    int64_t uid = -1, gid = -1;
    std::string hardlink, symlink, content, xattr;
    dev_t rdev = 0;
};

std::map<std::string, Entry> read_tarball(const fs::path& file) {
    std::map<std::string, Entry> out;
    archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    REQUIRE(archive_read_open_filename(a, file.c_str(), 65536) == ARCHIVE_OK);
    archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        Entry x;
        x.type = archive_entry_filetype(e);
        x.perm = archive_entry_perm(e);
        x.uid = archive_entry_uid(e);
        x.gid = archive_entry_gid(e);
        if (archive_entry_hardlink(e)) x.hardlink = archive_entry_hardlink(e);
        if (archive_entry_symlink(e)) x.symlink = archive_entry_symlink(e);
        x.rdev = archive_entry_rdev(e);
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
            if (std::string(name) == "user.li") x.xattr.assign(static_cast<const char*>(value), size);
        char buf[4096];
        for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) > 0;) x.content.append(buf, static_cast<size_t>(n));
        out[archive_entry_pathname(e)] = x;
    }
    archive_read_free(a);
    return out;
}

}  // namespace

TEST_CASE("debian build options are checked, naming the option and the value") {
    DebianBuildSpec ok;
    validate_debian_spec(ok);
    DebianBuildSpec s = ok;
    s.release = "Bookworm;rm";
    check_invalid(s, "release", "Bookworm;rm");
    s = ok;
    s.variant = "fat";
    check_invalid(s, "variant", "fat");
    s = ok;
    s.mirror = "ftp://x y";
    check_invalid(s, "mirror", "ftp://x y");
    s = ok;
    s.packages = {"curl", "--evil"};
    check_invalid(s, "packages", "--evil");
    s = ok;
    s.init = "";
    check_invalid(s, "init", "\"\"");
}

TEST_CASE("the host's Debian mirror is read from sources.list and deb822 sources") {
    test::TempDir dir("li-apt");
    CHECK(host_debian_mirror(dir.path()) == "http://deb.debian.org/debian");
    fs::create_directories(dir.path() / "sources.list.d");
    write_file_atomic(dir.path() / "sources.list.d/debian.sources",
                      "Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\n\n"
                      "Types: deb deb-src\n# comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
                      "Components: main\n");
    write_file_atomic(dir.path() / "sources.list.d/other.list.disabled", "deb http://wrong.example/debian bookworm main\n");
    CHECK(host_debian_mirror(dir.path()) == "http://mirror.example/debian");
    write_file_atomic(dir.path() / "sources.list",
                      "# deb http://commented.example/debian bookworm main\n"
                      "deb [signed-by=/k.gpg] http://one.example/debian bookworm main\n");
    CHECK(host_debian_mirror(dir.path()) == "http://one.example/debian");
}

TEST_CASE("the debian cache key covers every option that changes the image") {
    DebianBuildSpec a;
    a.mirror = "http://m/debian";
    fs::path base = debian_cache_file(a, "/c");
    CHECK(base.parent_path() == "/c");
    CHECK(base.filename().string().rfind("debian-bookworm-minbase-", 0) == 0);
    DebianBuildSpec b = a;
    b.packages = {"b", "a"};
    DebianBuildSpec c = a;
    c.packages = {"a", "b", "a"};
    CHECK(debian_cache_file(b, "/c") == debian_cache_file(c, "/c"));  // order and repeats do not matter
    CHECK(debian_cache_file(b, "/c") != base);
    for (auto change : {+[](DebianBuildSpec& s) { s.release = "trixie"; }, +[](DebianBuildSpec& s) { s.variant = "buildd"; },
                        +[](DebianBuildSpec& s) { s.mirror = "http://other/debian"; }, +[](DebianBuildSpec& s) { s.init = "sysvinit-core"; }}) {
        DebianBuildSpec d = a;
        change(d);
        CHECK(debian_cache_file(d, "/c") != base);
    }
}

TEST_CASE("compression names are checked") {
    for (const char* c : {"gzip", "xz", "zstd", "bzip2", "none"}) validate_compression(c);
    try {
        validate_compression("lzop");
        FAIL("accepted lzop");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "compression");
        CHECK(std::string(e.what()).find("lzop") != std::string::npos);
    }
    CHECK(tarball_suffix("xz") == ".tar.xz");
    CHECK(tarball_suffix("none") == ".tar");
}

TEST_CASE("a packed unified tarball keeps owners, modes, links, devices and xattrs") {
    test::TempDir dir("li-pack");
    fs::path rootfs = dir.path() / "rootfs";
    fs::create_directories(rootfs / "etc");
    fs::create_directories(rootfs / "dev");
    fs::create_directories(dir.path() / "templates");
    write_file_atomic(dir.path() / "templates/hostname.tpl", "{{ container.name }}\n");
    write_file_atomic(rootfs / "etc/owned", "data", 0640);
    REQUIRE(::chown((rootfs / "etc/owned").c_str(), 1000, 1001) == 0);
    REQUIRE(::chmod((rootfs / "etc/owned").c_str(), 04750) == 0);
    fs::create_hard_link(rootfs / "etc/owned", rootfs / "etc/link");
    fs::create_symlink("/etc/owned", rootfs / "etc/sym");
    REQUIRE(::mknod((rootfs / "dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    bool have_xattr = ::setxattr((rootfs / "etc/owned").c_str(), "user.li", "v1", 2, 0) == 0;

    for (const char* compression : {"gzip", "xz", "zstd", "bzip2", "none"}) {
        CAPTURE(compression);
        fs::path out = dir.path() / (std::string("img") + tarball_suffix(compression));
        uint64_t last = 0;
        pack_unified_tarball(PackInput{"architecture: x86_64\n", dir.path() / "templates", rootfs}, out, compression,
                             [&](uint64_t done) { last = done; });
        CHECK(last == 4);
        auto entries = read_tarball(out);
        CHECK(entries.at("metadata.yaml").content == "architecture: x86_64\n");
        CHECK(entries.at("templates/hostname.tpl").content == "{{ container.name }}\n");
        CHECK(entries.count("rootfs/") + entries.count("rootfs") == 1);
        const Entry& owned = entries.count("rootfs/etc/owned") && entries.at("rootfs/etc/owned").hardlink.empty()
                                 ? entries.at("rootfs/etc/owned") : entries.at("rootfs/etc/link");
        CHECK(owned.uid == 1000);
        CHECK(owned.gid == 1001);
        CHECK(owned.perm == 04750);
        CHECK(owned.content == "data");
        if (have_xattr) CHECK(owned.xattr == "v1");
        bool one_hardlink = entries.at("rootfs/etc/owned").hardlink == "rootfs/etc/link" ||
                            entries.at("rootfs/etc/link").hardlink == "rootfs/etc/owned";
        CHECK(one_hardlink);
        CHECK(entries.at("rootfs/etc/sym").symlink == "/etc/owned");
        CHECK(entries.at("rootfs/dev/null").type == AE_IFCHR);
        CHECK(entries.at("rootfs/dev/null").rdev == makedev(1, 3));
    }
    CHECK(tree_data_bytes(rootfs) == 4);
}

TEST_CASE("debootstrap's phases become monotonic progress") {
    DebootstrapProgress p;
    std::vector<std::string> lines = {"I: Retrieving InRelease ", "I: Checking Release signature", "I: Retrieving Packages ",
                                      "I: Validating Packages ", "I: Resolving dependencies of required packages..."};
    for (int i = 0; i < 200; i++) {
        lines.push_back("I: Retrieving pkg" + std::to_string(i));
        lines.push_back("I: Validating pkg" + std::to_string(i));
    }
    for (int i = 0; i < 80; i++) lines.push_back("I: Extracting pkg" + std::to_string(i) + "...");
    lines.push_back("I: Installing core packages...");
    for (int i = 0; i < 40; i++) lines.push_back("I: Unpacking pkg" + std::to_string(i) + "...");
    // debootstrap goes back and forth between unpacking and configuring.
    for (int i = 0; i < 150; i++) lines.push_back(i % 3 ? "I: Configuring x..." : "I: Unpacking y...");
    lines.push_back("I: Base system installed successfully.");
    int last = -1;
    std::set<std::string> labels;
    for (const auto& l : lines) {
        auto [label, pct] = p.feed(l);
        CHECK(pct >= last);
        CHECK(pct <= 85);
        last = pct;
        labels.insert(label);
    }
    CHECK(last == 85);
    CHECK(labels == std::set<std::string>{"Retrieving", "Extracting", "Unpacking", "Configuring"});
}
