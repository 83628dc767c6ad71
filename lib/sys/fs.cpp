#include "sys/fs.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

void write_file_atomic(const fs::path& path, std::string_view content, int mode) {
    fs::path tmp = path;
    tmp += ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) throw Error::from_errno(fmt::format("creating {}", tmp.string()), errno);
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno(fmt::format("writing {}", tmp.string()), errno);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) throw Error::from_errno(fmt::format("syncing {}", tmp.string()), errno);
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        throw Error::from_errno(fmt::format("renaming {}", tmp.string()), errno);
}

void for_each_chunk(const fs::path& path, const std::function<void(const char*, size_t)>& fn) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno(fmt::format("reading {}", path.string()), errno);
        }
        if (n == 0) return;
        fn(buf, static_cast<size_t>(n));
    }
}

std::string read_file(const fs::path& path, size_t max_bytes) {
    std::string out;
    for_each_chunk(path, [&](const char* data, size_t size) {
        out.append(data, size);
        if (out.size() > max_bytes)
            throw Error::invalid(path.string(), fmt::format("{} is larger than {} bytes", path.string(), max_bytes));
    });
    return out;
}

void copy_tree(const fs::path& from, const fs::path& to, std::stop_token stop) {
    run_checked({"cp", "-a", "--reflink=auto", "--", from.string(), to.string()},
                fmt::format("copying {} to {}", from.string(), to.string()), stop);
}

int open_in_root(const fs::path& root, std::string_view relative, int flags, int mode) {
    UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) throw Error::from_errno(fmt::format("opening {}", root.string()), errno);
    fs::path rel = fs::path(relative).relative_path();
    // Create parents one level at a time, each resolved inside the root.
    fs::path parent;
    for (const auto& part : rel.parent_path()) {
        parent /= part;
        struct open_how how {};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        int fd = static_cast<int>(::syscall(SYS_openat2, root_fd.get(), parent.c_str(), &how, sizeof how));
        if (fd >= 0) {
            ::close(fd);
            continue;
        }
        if (errno != ENOENT) throw Error::from_errno(fmt::format("resolving {} in {}", parent.string(), root.string()), errno);
        UniqueFd dir_fd;
        if (parent.has_parent_path() && parent.parent_path() != "") {
            how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
            dir_fd.reset(static_cast<int>(::syscall(SYS_openat2, root_fd.get(), parent.parent_path().c_str(), &how, sizeof how)));
            if (!dir_fd) throw Error::from_errno(fmt::format("resolving {}", parent.parent_path().string()), errno);
        }
        int at = dir_fd ? dir_fd.get() : root_fd.get();
        if (::mkdirat(at, parent.filename().c_str(), 0755) != 0 && errno != EEXIST)
            throw Error::from_errno(fmt::format("creating {} in {}", parent.string(), root.string()), errno);
    }
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
    how.mode = static_cast<uint64_t>((flags & O_CREAT) ? mode : 0);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(::syscall(SYS_openat2, root_fd.get(), rel.c_str(), &how, sizeof how));
    if (fd < 0) throw Error::from_errno(fmt::format("opening {} in {}", rel.string(), root.string()), errno);
    return fd;
}

}  // namespace li
