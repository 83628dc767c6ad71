// RootFiles on a plain directory standing in for a container's root: path checks, ownership in
// a shifted view, atomic pushes, and symlinks (planted or swapped in meanwhile) never leading out.
#include <doctest.h>

#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

#include "instance/files/root_files.hpp"
#include "libinstance/error.hpp"
#include "support/temp_state.hpp"
#include "sys/unique_fd.hpp"

using namespace li;
using li::IdMap;
using li::files::unshifted_view;
using li::files::RootFiles;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void spit(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }

// Pushes bytes through a temporary host file (RootFiles reads an fd to its end).
void push_bytes(RootFiles& root, std::string_view path, const std::string& data, const FileOptions& opts = {}) {
    FILE* f = std::tmpfile();
    std::fwrite(data.data(), 1, data.size(), f);
    std::fflush(f);
    ::lseek(fileno(f), 0, SEEK_SET);
    try {
        root.push(path, fileno(f), opts);
    } catch (...) {
        std::fclose(f);
        throw;
    }
    std::fclose(f);
}

std::string pull_bytes(RootFiles& root, std::string_view path, FileInfo* info = nullptr) {
    FILE* f = std::tmpfile();
    FileInfo i = root.pull(path, fileno(f));
    if (info) *info = i;
    std::string out;
    ::lseek(fileno(f), 0, SEEK_SET);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
    return out;
}

template <class Fn>
Error error_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error thrown");
    return Error(ErrorCode::Internal, "");
}

struct Fixture {
    test::TempDir dir{"li-files"};
    fs::path rootfs = dir.path() / "rootfs";
    fs::path outside = dir.path() / "outside";  // stands for the host
    Fixture() {
        fs::create_directories(rootfs / "etc");
        fs::create_directories(rootfs / "tmp");
        fs::create_directories(outside);
        spit(outside / "secret", "HOST");
        spit(rootfs / "etc" / "secret", "CONTAINER");
    }
};

}  // namespace

TEST_CASE("container paths must be absolute and stay below the root") {
    CHECK(files::relative_path("/") == "");
    CHECK(files::relative_path("/a//b/./c/") == "a/b/c");
    CHECK(files::relative_path("/a/../b") == "b");
    Error rel = error_of([] { files::relative_path("etc/passwd"); });
    CHECK(rel.code() == ErrorCode::InvalidArgument);
    CHECK(rel.key() == "path");
    CHECK(std::string(rel.what()).find("etc/passwd") != std::string::npos);
    Error up = error_of([] { files::relative_path("/etc/../../x"); });
    CHECK(up.code() == ErrorCode::InvalidArgument);
    CHECK(up.key() == "path");
    CHECK(std::string(up.what()).find("/etc/../../x") != std::string::npos);
}

TEST_CASE("push, pull, mkdir, symlink and delete with owners in a shifted view") {
    Fixture fx;
    RootFiles root(fx.rootfs, IdMap{{100000, 65536}, {200000, 65536}, {}});
    FileOptions opts;
    opts.uid = 1000;
    opts.gid = 1001;
    opts.mode = 0640;
    push_bytes(root, "/etc/hello", "hello\n", opts);
    struct stat st {};
    REQUIRE(::lstat((fx.rootfs / "etc/hello").c_str(), &st) == 0);
    CHECK(st.st_uid == 101000);
    CHECK(st.st_gid == 201001);
    CHECK((st.st_mode & 07777) == 0640);
    FileInfo info;
    CHECK(pull_bytes(root, "/etc/hello", &info) == "hello\n");
    CHECK(info.type == "file");
    CHECK(info.uid == 1000);
    CHECK(info.gid == 1001);
    CHECK(info.mode == 0640);
    CHECK(info.size == 6);

    // Overwriting keeps the owner and mode unless told otherwise; no temporary file is left.
    push_bytes(root, "/etc/hello", "again\n");
    CHECK(slurp(fx.rootfs / "etc/hello") == "again\n");
    REQUIRE(::lstat((fx.rootfs / "etc/hello").c_str(), &st) == 0);
    CHECK(st.st_uid == 101000);
    CHECK((st.st_mode & 07777) == 0640);
    CHECK(std::distance(fs::directory_iterator(fx.rootfs / "etc"), fs::directory_iterator()) == 2);

    // A new file defaults to the container's root, 0644.
    push_bytes(root, "/tmp/new", "x");
    REQUIRE(::lstat((fx.rootfs / "tmp/new").c_str(), &st) == 0);
    CHECK(st.st_uid == 100000);
    CHECK(st.st_gid == 200000);
    CHECK((st.st_mode & 07777) == 0644);

    FileOptions parents;
    parents.create_parents = true;
    parents.uid = 5;
    push_bytes(root, "/a/b/c/file", "deep", parents);
    CHECK(slurp(fx.rootfs / "a/b/c/file") == "deep");
    REQUIRE(::lstat((fx.rootfs / "a/b").c_str(), &st) == 0);
    CHECK(st.st_uid == 100005);
    CHECK((st.st_mode & 07777) == 0755);
    Error no_parent = error_of([&] { push_bytes(root, "/x/y/file", "z"); });
    CHECK(no_parent.code() == ErrorCode::NotFound);
    CHECK(std::string(no_parent.what()).find("/x/y/file") != std::string::npos);

    FileOptions dir_opts;
    dir_opts.mode = 0700;
    dir_opts.uid = 7;
    root.mkdir("/srv", dir_opts);
    REQUIRE(::lstat((fx.rootfs / "srv").c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 07777) == 0700);
    CHECK(st.st_uid == 100007);
    CHECK(error_of([&] { root.mkdir("/srv", {}); }).code() == ErrorCode::AlreadyExists);
    root.mkdir("/srv", parents);  // mkdir -p: fine

    root.symlink("/srv/link", "/etc/hello", {});
    CHECK(fs::read_symlink(fx.rootfs / "srv/link") == "/etc/hello");
    REQUIRE(::lstat((fx.rootfs / "srv/link").c_str(), &st) == 0);
    CHECK(st.st_uid == 100000);
    FileInfo link = root.pull("/srv/link", -1);
    CHECK(link.type == "symlink");
    CHECK(link.target == "/etc/hello");
    FileInfo dir = root.pull("/srv", -1);
    CHECK(dir.type == "directory");
    CHECK(dir.entries == std::vector<std::string>{"link"});

    root.remove("/srv/link");
    CHECK_FALSE(fs::exists(fs::symlink_status(fx.rootfs / "srv/link")));
    Error not_empty = error_of([&] { root.remove("/a"); });
    CHECK(not_empty.code() == ErrorCode::Conflict);
    CHECK(std::string(not_empty.what()).find("/a") != std::string::npos);
    root.remove("/srv");
    CHECK_FALSE(fs::exists(fx.rootfs / "srv"));
    CHECK(error_of([&] { root.remove("/srv"); }).code() == ErrorCode::NotFound);
    CHECK(error_of([&] { root.remove("/"); }).key() == "path");

    FileOptions bad;
    bad.uid = 70000;
    Error unmapped = error_of([&] { push_bytes(root, "/tmp/bad", "x", bad); });
    CHECK(unmapped.code() == ErrorCode::InvalidArgument);
    CHECK(unmapped.key() == "uid");
    CHECK_FALSE(fs::exists(fx.rootfs / "tmp/bad"));
}

TEST_CASE("a failed push leaves no file behind") {
    Fixture fx;
    RootFiles root(fx.rootfs, unshifted_view());
    spit(fx.rootfs / "etc/keep", "old");
    // A directory fd fails on read (EISDIR) after the temporary file was made.
    UniqueFd dirfd(::open(fx.dir.path().c_str(), O_RDONLY | O_DIRECTORY));
    Error e = error_of([&] { root.push("/etc/keep", dirfd.get(), {}); });
    CHECK(e.key() == "path");
    CHECK(slurp(fx.rootfs / "etc/keep") == "old");
    CHECK(std::distance(fs::directory_iterator(fx.rootfs / "etc"), fs::directory_iterator()) == 2);
    // Pushing onto a directory is refused.
    CHECK(error_of([&] { push_bytes(root, "/etc", "x"); }).code() == ErrorCode::Conflict);
}

TEST_CASE("symlinks planted in the container resolve inside its root") {
    Fixture fx;
    RootFiles root(fx.rootfs, unshifted_view());
    // Absolute and climbing symlinks that would reach "outside" from the host's point of view.
    fs::create_symlink(fx.outside, fx.rootfs / "tmp/abs");
    fs::create_symlink("../../../../../../../../" + fx.outside.relative_path().string(), fx.rootfs / "tmp/rel");
    fs::create_symlink("/", fx.rootfs / "tmp/top");
    for (const char* via : {"/tmp/abs", "/tmp/rel"}) {
        CAPTURE(via);
        Error pull = error_of([&] { pull_bytes(root, std::string(via) + "/secret"); });
        CHECK(pull.code() == ErrorCode::NotFound);
        CHECK(std::string(pull.what()).find(std::string(via) + "/secret") != std::string::npos);
        Error push = error_of([&] { push_bytes(root, std::string(via) + "/planted", "evil"); });
        CHECK(push.code() == ErrorCode::NotFound);
        CHECK(std::string(push.what()).find(std::string(via) + "/planted") != std::string::npos);
        CHECK_FALSE(fs::exists(fx.outside / "planted"));
    }
    // "/" inside the container is the container's root: its /etc/secret, not the host's.
    CHECK(pull_bytes(root, "/tmp/top/etc/secret") == "CONTAINER");
    CHECK(pull_bytes(root, "/tmp/top/../../etc/secret") == "CONTAINER");
    // A final symlink is described, not followed; deleting it removes the link only.
    fs::create_symlink(fx.outside / "secret", fx.rootfs / "tmp/file-link");
    CHECK(root.pull("/tmp/file-link", -1).type == "symlink");
    root.remove("/tmp/file-link");
    CHECK(slurp(fx.outside / "secret") == "HOST");
    // Pushing over a symlink replaces the link; its target stays untouched.
    fs::create_symlink(fx.outside / "secret", fx.rootfs / "tmp/over");
    push_bytes(root, "/tmp/over", "mine");
    CHECK(slurp(fx.outside / "secret") == "HOST");
    CHECK(slurp(fx.rootfs / "tmp/over") == "mine");
    CHECK(fs::is_regular_file(fs::symlink_status(fx.rootfs / "tmp/over")));
}

TEST_CASE("a directory swapped for a symlink during pushes and pulls never leads out") {
    Fixture fx;
    RootFiles root(fx.rootfs, unshifted_view());
    fs::create_directories(fx.rootfs / "tmp/d");
    spit(fx.rootfs / "tmp/d/secret", "CONTAINER");
    fs::create_symlink(fx.outside, fx.rootfs / "tmp/s");
    std::atomic<bool> stop{false};
    std::atomic<long> swaps{0};
    std::thread swapper([&] {
        UniqueFd tmp(::open((fx.rootfs / "tmp").c_str(), O_PATH | O_DIRECTORY));
        while (!stop) {
            if (::renameat2(tmp.get(), "d", tmp.get(), "s", RENAME_EXCHANGE) == 0) ++swaps;
        }
    });
    int pushed = 0, pulled = 0, refused = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < until) {
        for (const char* p : {"/tmp/d", "/tmp/s"}) {
            try {
                push_bytes(root, std::string(p) + "/dropped", "x");
                ++pushed;
            } catch (const Error&) {
                ++refused;
            }
            try {
                std::string got = pull_bytes(root, std::string(p) + "/secret");
                CHECK(got == "CONTAINER");
                ++pulled;
            } catch (const Error&) {
                ++refused;
            }
        }
    }
    stop = true;
    swapper.join();
    MESSAGE("swaps " << swaps.load() << ", pushed " << pushed << ", pulled " << pulled << ", refused " << refused);
    CHECK(swaps > 100);
    CHECK(pushed > 0);
    CHECK(pulled > 0);
    CHECK_FALSE(fs::exists(fx.outside / "dropped"));
    CHECK(slurp(fx.outside / "secret") == "HOST");
    CHECK(std::distance(fs::directory_iterator(fx.outside), fs::directory_iterator()) == 1);
}

TEST_CASE("device nodes and fifos are not pulled") {
    Fixture fx;
    RootFiles root(fx.rootfs, unshifted_view());
    REQUIRE(::mknod((fx.rootfs / "tmp/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    REQUIRE(::mkfifo((fx.rootfs / "tmp/fifo").c_str(), 0600) == 0);
    for (const char* p : {"/tmp/null", "/tmp/fifo"}) {
        Error e = error_of([&] { pull_bytes(root, p); });
        CHECK(e.code() == ErrorCode::NotSupported);
        CHECK(e.key() == "path");
        CHECK(std::string(e.what()).find(p) != std::string::npos);
    }
}

TEST_CASE("a raw.idmap entry gives its container id the host id it names, both ways") {
    Fixture fx;
    RootFiles root(fx.rootfs, IdMap{{100000, 65536}, {100000, 65536}, parse_raw_idmap("both 1000 1000")});
    FileOptions opts;
    opts.uid = 1000;
    opts.gid = 1000;
    push_bytes(root, "/etc/mapped", "m", opts);
    struct stat st {};
    REQUIRE(::lstat((fx.rootfs / "etc/mapped").c_str(), &st) == 0);
    CHECK(st.st_uid == 1000);
    CHECK(st.st_gid == 1000);
    opts.uid = opts.gid = 1001;
    push_bytes(root, "/etc/beside", "b", opts);
    REQUIRE(::lstat((fx.rootfs / "etc/beside").c_str(), &st) == 0);
    CHECK(st.st_uid == 101001);
    FileInfo info;
    pull_bytes(root, "/etc/mapped", &info);
    CHECK(info.uid == 1000);
    // The main range's host id for container id 1000 is a hole now: it shows as the overflow id.
    REQUIRE(::lchown((fx.rootfs / "etc/beside").c_str(), 101000, 101000) == 0);
    pull_bytes(root, "/etc/beside", &info);
    CHECK(info.uid == 65534);  // the kernel's overflow id
    CHECK(info.gid == 65534);
}

TEST_CASE("trees are pushed and pulled with modes, owners and symlinks") {
    Fixture fx;
    RootFiles root(fx.rootfs, IdMap{{100000, 65536}, {100000, 65536}, {}});
    fs::path src = fx.dir.path() / "src";
    fs::create_directories(src / "sub/deeper");
    spit(src / "top.txt", "top");
    spit(src / "sub/deeper/leaf.sh", "#!/bin/sh\n");
    ::chmod((src / "sub/deeper/leaf.sh").c_str(), 0755);
    ::chmod((src / "sub").c_str(), 0750);
    ::chown((src / "top.txt").c_str(), 33, 34);
    fs::create_symlink("deeper/leaf.sh", src / "sub/link");
    REQUIRE(::mkfifo((src / "fifo").c_str(), 0600) == 0);

    root.push_tree(src, "/opt/tree", {});
    struct stat st {};
    REQUIRE(::lstat((fx.rootfs / "opt/tree/top.txt").c_str(), &st) == 0);
    CHECK(st.st_uid == 100033);
    CHECK(st.st_gid == 100034);
    REQUIRE(::lstat((fx.rootfs / "opt/tree/sub").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0750);
    CHECK(st.st_uid == 100000);
    REQUIRE(::lstat((fx.rootfs / "opt/tree/sub/deeper/leaf.sh").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
    CHECK(fs::read_symlink(fx.rootfs / "opt/tree/sub/link") == "deeper/leaf.sh");
    CHECK_FALSE(fs::exists(fs::symlink_status(fx.rootfs / "opt/tree/fifo")));

    fs::path back = fx.dir.path() / "back";
    root.pull_tree("/opt/tree", back);
    CHECK(slurp(back / "top.txt") == "top");
    CHECK(slurp(back / "sub/deeper/leaf.sh") == "#!/bin/sh\n");
    REQUIRE(::lstat((back / "sub/deeper/leaf.sh").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
    REQUIRE(::lstat((back / "sub").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0750);
    CHECK(fs::read_symlink(back / "sub/link") == "deeper/leaf.sh");

    // A symlink pulled earlier is not followed when a later pull writes the same name.
    fs::remove(back / "top.txt");
    fs::create_symlink(fx.outside / "secret", back / "top.txt");
    CHECK_THROWS_AS(root.pull_tree("/opt/tree", back), Error);
    CHECK(slurp(fx.outside / "secret") == "HOST");
}
