// remove_tree: whole trees go, symlinks are removed rather than followed, a mount inside is never
// emptied, and trees deeper than a process can hold descriptors for still go.
#include <doctest.h>

#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/mount.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "support/temp_state.hpp"
#include "sys/fs.hpp"

using namespace li;
using li::test::TempDir;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("remove_tree removes files, directories, special files and dangling links; missing is fine") {
    TempDir tmp;
    fs::path top = tmp.path() / "tree";
    write(top / "a" / "b" / "c.txt", "c");
    write(top / "a" / "d.txt", "d");
    fs::create_directories(top / "empty" / "dirs");
    fs::create_symlink("nowhere", top / "a" / "dangling");
    REQUIRE(::mkfifo((top / "fifo").c_str(), 0600) == 0);
    fs::permissions(top / "a" / "b", fs::perms::none);  // root removes it anyway, as rm -rf does

    remove_tree(top);
    CHECK_FALSE(fs::exists(fs::symlink_status(top)));
    CHECK_NOTHROW(remove_tree(top));

    write(tmp.path() / "file", "x");
    remove_tree(tmp.path() / "file");
    CHECK_FALSE(fs::exists(tmp.path() / "file"));
}

TEST_CASE("remove_tree removes symlinks without following them") {
    TempDir tmp;
    write(tmp.path() / "outside" / "keep.txt", "keep");
    fs::path top = tmp.path() / "tree";
    fs::create_directories(top);
    fs::create_directory_symlink(tmp.path() / "outside", top / "to-dir");
    fs::create_symlink(tmp.path() / "outside" / "keep.txt", top / "to-file");

    remove_tree(top);
    CHECK_FALSE(fs::exists(fs::symlink_status(top)));
    CHECK(fs::exists(tmp.path() / "outside" / "keep.txt"));

    // The top itself a symlink to a directory: the link goes, the directory stays.
    fs::create_directory_symlink(tmp.path() / "outside", tmp.path() / "link-top");
    remove_tree(tmp.path() / "link-top");
    CHECK_FALSE(fs::exists(fs::symlink_status(tmp.path() / "link-top")));
    CHECK(fs::exists(tmp.path() / "outside" / "keep.txt"));
}

TEST_CASE("remove_tree never empties a mount inside the tree, even a bind mount of the same file system") {
    TempDir tmp;
    write(tmp.path() / "precious" / "data.txt", "data");
    fs::path top = tmp.path() / "tree";
    write(top / "sibling.txt", "s");
    fs::create_directories(top / "mnt");
    if (::mount((tmp.path() / "precious").c_str(), (top / "mnt").c_str(), nullptr, MS_BIND, nullptr) != 0) {
        MESSAGE("bind mounts are not permitted here: case skipped");
        return;
    }
    std::string message;
    try {
        remove_tree(top);
    } catch (const Error& e) {
        message = e.what();
    }
    ::umount2((top / "mnt").c_str(), MNT_DETACH);
    CHECK(message.find((top / "mnt").string()) != std::string::npos);
    CHECK(fs::exists(tmp.path() / "precious" / "data.txt"));
    remove_tree(top);
    CHECK_FALSE(fs::exists(top));
}

TEST_CASE("remove_tree removes a tree deeper than the descriptors it would hold") {
    TempDir tmp;
    fs::path top = tmp.path() / "deep";
    fs::create_directories(top);
    // 600 levels, built relative to the working directory so no path nears PATH_MAX.
    int keep = ::open(".", O_RDONLY | O_DIRECTORY);
    REQUIRE(::chdir(top.c_str()) == 0);
    for (int i = 0; i < 600; i++) {
        REQUIRE(::mkdir("d", 0755) == 0);
        REQUIRE(::chdir("d") == 0);
    }
    std::ofstream("bottom.txt") << "b";
    REQUIRE(::fchdir(keep) == 0);
    ::close(keep);

    remove_tree(top);
    CHECK_FALSE(fs::exists(top));
}
