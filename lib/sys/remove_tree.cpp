// remove_tree: in-process, because an instance delete removes several trees and a `rm -rf` child
// per tree cost more than the removal itself (fork + exec of rm, 5-20 ms each).
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// A tree deeper than this (one open descriptor per level) is handed to rm, which walks any depth:
// a container's user can nest directories far deeper than a process may hold descriptors.
constexpr int kMaxInProcessDepth = 128;

struct TooDeep {};

// Opens directory `name` below dirfd without following a symlink and without crossing into
// another mount (even a bind mount of the same file system): EXDEV then, which fails the removal
// as rm --one-file-system does, instead of emptying what is mounted there.
UniqueFd open_subdirectory(int dirfd, const char* name) {
    struct open_how how {};
    how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH;
    return UniqueFd(static_cast<int>(::syscall(SYS_openat2, dirfd, name, &how, sizeof how)));
}

[[noreturn]] void fail(const fs::path& path, int err) {
    throw Error::from_errno(fmt::format("removing {}", path.string()), err);
}

// Removes everything inside the open directory dirfd (at `where`, for messages).
void empty_directory(int dirfd, const fs::path& where, int depth) {
    if (depth > kMaxInProcessDepth) throw TooDeep{};
    int listing_fd = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (listing_fd < 0) fail(where, errno);
    DIR* dir = ::fdopendir(listing_fd);
    if (!dir) {
        int e = errno;
        ::close(listing_fd);
        fail(where, e);
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
    // Entries are removed while the listing goes on; getdents copes with that on Linux file
    // systems, and a name it repeats is simply gone (ENOENT) the second time.
    while (dirent* entry = ::readdir(dir)) {
        const char* name = entry->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) {
            if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) continue;
            if (errno != EISDIR) fail(where / name, errno);
        } else if (entry->d_type == DT_UNKNOWN && (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)) {
            continue;
        }
        UniqueFd sub = open_subdirectory(dirfd, name);
        if (!sub) {
            if (errno == ENOENT) continue;
            fail(where / name, errno);
        }
        empty_directory(sub.get(), where / name, depth + 1);
        sub.reset();
        if (::unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT) fail(where / name, errno);
    }
}

}  // namespace

void remove_tree(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        fail(path, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail(path, errno);
        return;
    }
    UniqueFd top(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!top) fail(path, errno);
    try {
        empty_directory(top.get(), path, 0);
    } catch (const TooDeep&) {
        top.reset();
        run_checked({"rm", "-rf", "--one-file-system", "--", path.string()}, fmt::format("removing {}", path.string()));
        return;
    }
    top.reset();
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) fail(path, errno);
}

}  // namespace li
