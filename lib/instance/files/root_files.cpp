#include "instance/files/root_files.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <random>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "core/reverter.hpp"
#include "core/text.hpp"
#include "libinstance/error.hpp"

namespace li::files {

namespace fs = std::filesystem;

namespace {

constexpr size_t kChunk = 1 << 20;  // streamed in 1 MiB chunks: a file is never held whole
constexpr uint32_t kOverflowId = 65534;

Error path_error(std::string_view what, std::string_view shown, int err) {
    Error e = Error::from_errno(fmt::format("{} {}", what, shown), err);
    return Error(e.code(), e.what(), "path", err);
}

std::string read_link_at(int dirfd, const char* name) {
    std::string buf(4096, '\0');
    for (;;) {
        ssize_t n = ::readlinkat(dirfd, name, buf.data(), buf.size());
        if (n < 0) return {};
        if (static_cast<size_t>(n) < buf.size()) return buf.substr(0, static_cast<size_t>(n));
        buf.resize(buf.size() * 2);
    }
}

void write_all(int fd, const char* data, size_t size, std::string_view shown) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw path_error("writing", shown, errno);
        data += n;
        size -= static_cast<size_t>(n);
    }
}

uint64_t copy_stream(int in, int out, std::string_view shown) {
    std::vector<char> buf(kChunk);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw path_error("reading", shown, errno);
        if (n == 0) return total;
        write_all(out, buf.data(), static_cast<size_t>(n), shown);
        total += static_cast<uint64_t>(n);
    }
}

std::string temp_name(const std::string& leaf) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format(".{}.li-push-{:016x}", leaf.substr(0, 200), rng());
}

std::pair<std::string, std::string> split(const std::string& rel) {
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) return {"", rel};
    return {rel.substr(0, slash), rel.substr(slash + 1)};
}

std::string join(std::string_view shown, std::string_view name) {
    return shown.ends_with('/') ? fmt::format("{}{}", shown, name) : fmt::format("{}/{}", shown, name);
}

// Reopens an O_PATH fd for reading: the same inode, so a swap after the type check cannot
// substitute another file.
UniqueFd reopen_readable(int path_fd, int flags, std::string_view shown) {
    UniqueFd fd(::open(fmt::format("/proc/self/fd/{}", path_fd).c_str(), flags | O_CLOEXEC));
    if (!fd) throw path_error("opening", shown, errno);
    return fd;
}

// A directory below dirfd, by one name and without following a symlink.
UniqueFd open_child_dir(int dirfd, const char* name, std::string_view shown) {
    UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw path_error("opening directory", shown, errno);
    return fd;
}

std::vector<std::string> dir_entries(int dirfd, std::string_view shown) {
    UniqueFd fd(::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw path_error("listing", shown, errno);
    DIR* dir = ::fdopendir(fd.get());
    if (dir == nullptr) throw path_error("listing", shown, errno);
    fd.release();
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(dir)) {
        std::string_view n = e->d_name;
        if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

std::string relative_path(std::string_view path) {
    if (path.find('\0') != std::string_view::npos) throw Error::invalid("path", "path holds a NUL byte");
    if (!path.starts_with('/'))
        throw Error::invalid("path", fmt::format("path \"{}\" is not absolute (paths inside an instance start with /)", path));
    std::vector<std::string_view> parts;
    for (std::string_view part : split_view(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (parts.empty())
                throw Error::invalid("path", fmt::format("path \"{}\" climbs above the instance's root", path));
            parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string rel;
    for (auto p : parts) rel += (rel.empty() ? "" : "/") + std::string(p);
    return rel;
}

RootFiles::RootFiles(const fs::path& rootfs, IdMap view) : view_(std::move(view)) {
    root_.reset(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_) throw Error::from_errno(fmt::format("opening the instance's root {}", rootfs.string()), errno);
    root_real_ = read_link_at(AT_FDCWD, fmt::format("/proc/self/fd/{}", root_.get()).c_str());
}

UniqueFd RootFiles::resolve(const std::string& rel, std::string_view shown, uint64_t flags) const {
    struct open_how how {};
    how.flags = flags | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char* p = rel.empty() ? "." : rel.c_str();
    int fd;
    do fd = static_cast<int>(::syscall(SYS_openat2, root_.get(), p, &how, sizeof how));
    while (fd < 0 && (errno == EAGAIN || errno == EINTR));  // EAGAIN: a rename raced the lookup
    if (fd < 0) throw path_error("resolving", shown, errno);
    UniqueFd out(fd);
    check_inside(out.get(), shown);
    return out;
}

// RESOLVE_IN_ROOT already keeps the walk inside; this second look is cheap and catches a
// kernel or mount surprise.
void RootFiles::check_inside(int fd, std::string_view shown) const {
    std::string at = read_link_at(AT_FDCWD, fmt::format("/proc/self/fd/{}", fd).c_str());
    bool inside = !root_real_.empty() && (at == root_real_ || at.starts_with(root_real_ == "/" ? "/" : root_real_ + "/"));
    if (!inside)
        throw Error(ErrorCode::PermissionDenied, fmt::format("{} resolves outside the instance's root", shown), "path");
}

// The directory holding rel (created, with missing parents, when create is set).
UniqueFd RootFiles::parent_dir(const std::string& rel, std::string_view shown, bool create, const FileOptions& opts) const {
    auto [parent, leaf] = split(rel);
    if (!create) return resolve(parent, shown, O_PATH | O_DIRECTORY);
    // One level at a time, each resolved inside the root; missing ones are made in their parent.
    UniqueFd dir = resolve("", shown, O_PATH | O_DIRECTORY);
    std::string sofar;
    size_t pos = 0;
    while (pos < parent.size()) {
        size_t end = parent.find('/', pos);
        if (end == std::string::npos) end = parent.size();
        std::string name = parent.substr(pos, end - pos);
        pos = end + 1;
        sofar += (sofar.empty() ? "" : "/") + name;
        try {
            dir = resolve(sofar, shown, O_PATH | O_DIRECTORY);
            continue;
        } catch (const Error& e) {
            if (e.code() != ErrorCode::NotFound) throw;
        }
        if (::mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST) throw path_error("creating parents of", shown, errno);
        UniqueFd made = open_child_dir(dir.get(), name.c_str(), shown);
        if (::fchown(made.get(), host_uid(opts.uid.value_or(0)), host_gid(opts.gid.value_or(0))) != 0 || ::fchmod(made.get(), 0755) != 0)
            throw path_error("setting the owner of a parent of", shown, errno);
        dir = resolve(sofar, shown, O_PATH | O_DIRECTORY);
    }
    return dir;
}

uint32_t RootFiles::host_uid(uint32_t uid) const {
    auto host = to_host_id(view_, true, uid);
    if (!host) throw Error::invalid("uid", fmt::format("uid {} is not mapped in the instance", uid));
    return static_cast<uint32_t>(*host);
}

uint32_t RootFiles::host_gid(uint32_t gid) const {
    auto host = to_host_id(view_, false, gid);
    if (!host) throw Error::invalid("gid", fmt::format("gid {} is not mapped in the instance", gid));
    return static_cast<uint32_t>(*host);
}

FileInfo RootFiles::describe(int fd, const struct stat& st) const {
    FileInfo info;
    info.uid = static_cast<uint32_t>(to_container_id(view_, true, st.st_uid).value_or(kOverflowId));
    info.gid = static_cast<uint32_t>(to_container_id(view_, false, st.st_gid).value_or(kOverflowId));
    info.mode = st.st_mode & 07777;
    if (S_ISREG(st.st_mode)) {
        info.type = "file";
        info.size = static_cast<uint64_t>(st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
        info.type = "directory";
    } else if (S_ISLNK(st.st_mode)) {
        info.type = "symlink";
        info.target = read_link_at(fd, "");
    }
    return info;
}

void RootFiles::push(std::string_view path, int src_fd, const FileOptions& opts) {
    std::string rel = relative_path(path);
    if (rel.empty()) throw Error::invalid("path", "path \"/\" is the instance's root directory, not a file");
    auto [parent, leaf] = split(rel);
    UniqueFd dir = parent_dir(rel, path, opts.create_parents, opts);

    uint32_t uid = opts.uid.value_or(0), gid = opts.gid.value_or(0), mode = opts.mode.value_or(0644);
    struct stat old {};
    if (::fstatat(dir.get(), leaf.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(old.st_mode))
            throw Error(ErrorCode::Conflict, fmt::format("{} is a directory", path), "path");
        if (S_ISREG(old.st_mode)) {
            FileInfo existing = describe(-1, old);
            uid = opts.uid.value_or(existing.uid);
            gid = opts.gid.value_or(existing.gid);
            mode = opts.mode.value_or(existing.mode);
        }
    }
    uint32_t huid = host_uid(uid), hgid = host_gid(gid);

    std::string tmp = temp_name(leaf);
    UniqueFd out(::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw path_error("creating", path, errno);
    Reverter revert;
    revert.add([&] { ::unlinkat(dir.get(), tmp.c_str(), 0); });
    copy_stream(src_fd, out.get(), path);
    // Owner first: chown clears set-id bits that fchmod then sets.
    if (::fchown(out.get(), huid, hgid) != 0) throw path_error("setting the owner of", path, errno);
    if (::fchmod(out.get(), mode & 07777) != 0) throw path_error("setting the mode of", path, errno);
    if (::renameat(dir.get(), tmp.c_str(), dir.get(), leaf.c_str()) != 0) throw path_error("replacing", path, errno);
    revert.success();
}

FileInfo RootFiles::pull(std::string_view path, int out_fd) {
    std::string rel = relative_path(path);
    // O_PATH|O_NOFOLLOW pins the final object itself (a symlink is described, not followed).
    UniqueFd fd = resolve(rel, path, O_PATH | O_NOFOLLOW);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw path_error("inspecting", path, errno);
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
        throw Error(ErrorCode::NotSupported,
                    fmt::format("{} is a device node, fifo or socket; only files, directories and symlinks can be pulled", path),
                    "path");
    FileInfo info = describe(fd.get(), st);
    if (S_ISDIR(st.st_mode)) info.entries = dir_entries(fd.get(), path);
    if (S_ISREG(st.st_mode) && out_fd >= 0) {
        UniqueFd in = reopen_readable(fd.get(), O_RDONLY, path);
        info.size = copy_stream(in.get(), out_fd, path);
    }
    return info;
}

void RootFiles::remove(std::string_view path) {
    std::string rel = relative_path(path);
    if (rel.empty()) throw Error::invalid("path", "the instance's root directory cannot be deleted");
    auto [parent, leaf] = split(rel);
    UniqueFd dir = parent_dir(rel, path, false, {});
    if (::unlinkat(dir.get(), leaf.c_str(), 0) == 0) return;
    if (errno == EISDIR && ::unlinkat(dir.get(), leaf.c_str(), AT_REMOVEDIR) == 0) return;
    if (errno == ENOTEMPTY || errno == EEXIST)
        throw Error(ErrorCode::Conflict, fmt::format("deleting {}: the directory is not empty", path), "path");
    throw path_error("deleting", path, errno);
}

void RootFiles::mkdir(std::string_view path, const FileOptions& opts) {
    std::string rel = relative_path(path);
    if (rel.empty()) {
        if (opts.create_parents) return;
        throw Error(ErrorCode::AlreadyExists, "/ already exists", "path");
    }
    auto [parent, leaf] = split(rel);
    UniqueFd dir = parent_dir(rel, path, opts.create_parents, opts);
    if (::mkdirat(dir.get(), leaf.c_str(), 0700) != 0) {
        int err = errno;
        struct stat st {};
        if (err == EEXIST && opts.create_parents && ::fstatat(dir.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(st.st_mode))
            return;
        throw path_error("creating directory", path, err);
    }
    UniqueFd made = open_child_dir(dir.get(), leaf.c_str(), path);
    if (::fchown(made.get(), host_uid(opts.uid.value_or(0)), host_gid(opts.gid.value_or(0))) != 0)
        throw path_error("setting the owner of", path, errno);
    if (::fchmod(made.get(), opts.mode.value_or(0755) & 07777) != 0) throw path_error("setting the mode of", path, errno);
}

void RootFiles::symlink(std::string_view path, std::string_view target, const FileOptions& opts) {
    if (target.empty() || target.find('\0') != std::string_view::npos)
        throw Error::invalid("target", fmt::format("symlink target \"{}\" is empty or holds a NUL byte", target));
    std::string rel = relative_path(path);
    if (rel.empty()) throw Error(ErrorCode::AlreadyExists, "/ already exists", "path");
    auto [parent, leaf] = split(rel);
    uint32_t huid = host_uid(opts.uid.value_or(0)), hgid = host_gid(opts.gid.value_or(0));
    UniqueFd dir = parent_dir(rel, path, opts.create_parents, opts);
    if (::symlinkat(std::string(target).c_str(), dir.get(), leaf.c_str()) != 0) throw path_error("creating symlink", path, errno);
    if (::fchownat(dir.get(), leaf.c_str(), huid, hgid, AT_SYMLINK_NOFOLLOW) != 0)
        throw path_error("setting the owner of", path, errno);
}

namespace {

// Host side of a tree push: what one entry of the source is.
struct HostEntry {
    std::string name;
    struct stat st;
};

std::vector<HostEntry> host_entries(int dirfd, std::string_view shown) {
    std::vector<HostEntry> out;
    for (const auto& name : dir_entries(dirfd, shown)) {
        HostEntry e{name, {}};
        if (::fstatat(dirfd, name.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) == 0) out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

void RootFiles::push_tree(const fs::path& source, std::string_view path, const FileOptions& opts) {
    UniqueFd src(::open(source.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src) throw Error::from_errno(fmt::format("opening {}", source.string()), errno);
    struct stat top {};
    if (::fstat(src.get(), &top) != 0) throw Error::from_errno(fmt::format("inspecting {}", source.string()), errno);
    FileOptions dir_opts = opts;
    dir_opts.create_parents = true;
    dir_opts.mode = opts.mode.value_or(top.st_mode & 07777);
    mkdir(path, dir_opts);
    std::string rel = relative_path(path);

    // Below the top, each step is one name relative to an open directory, never re-resolved.
    auto walk = [&](auto& self, int host_dir, int inst_dir, const std::string& shown) -> void {
        for (const auto& e : host_entries(host_dir, shown)) {
            std::string child = join(shown, e.name);
            const char* name = e.name.c_str();
            uint32_t huid = host_uid(opts.uid.value_or(e.st.st_uid)), hgid = host_gid(opts.gid.value_or(e.st.st_gid));
            if (S_ISDIR(e.st.st_mode)) {
                if (::mkdirat(inst_dir, name, 0700) != 0 && errno != EEXIST) throw path_error("creating directory", child, errno);
                UniqueFd to = open_child_dir(inst_dir, name, child);
                UniqueFd from = open_child_dir(host_dir, name, child);
                self(self, from.get(), to.get(), child);
                if (::fchown(to.get(), huid, hgid) != 0 || ::fchmod(to.get(), opts.mode.value_or(e.st.st_mode & 07777)) != 0)
                    throw path_error("setting the owner and mode of", child, errno);
            } else if (S_ISREG(e.st.st_mode)) {
                UniqueFd from(::openat(host_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
                if (!from) throw Error::from_errno(fmt::format("opening {}", (source / e.name).string()), errno);
                std::string tmp = temp_name(e.name);
                UniqueFd out(::openat(inst_dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!out) throw path_error("creating", child, errno);
                Reverter revert;
                revert.add([&] { ::unlinkat(inst_dir, tmp.c_str(), 0); });
                copy_stream(from.get(), out.get(), child);
                if (::fchown(out.get(), huid, hgid) != 0) throw path_error("setting the owner of", child, errno);
                if (::fchmod(out.get(), opts.mode.value_or(e.st.st_mode & 07777)) != 0) throw path_error("setting the mode of", child, errno);
                if (::renameat(inst_dir, tmp.c_str(), inst_dir, name) != 0) throw path_error("replacing", child, errno);
                revert.success();
            } else if (S_ISLNK(e.st.st_mode)) {
                std::string target = read_link_at(host_dir, name);
                struct stat old {};
                if (::fstatat(inst_dir, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(old.st_mode)) ::unlinkat(inst_dir, name, 0);
                if (::symlinkat(target.c_str(), inst_dir, name) != 0) throw path_error("creating symlink", child, errno);
                if (::fchownat(inst_dir, name, huid, hgid, AT_SYMLINK_NOFOLLOW) != 0) throw path_error("setting the owner of", child, errno);
            }
            // Device nodes, fifos and sockets are skipped, as lxc file push -r does.
        }
    };
    UniqueFd top_path = resolve(rel, path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    UniqueFd top_dir = reopen_readable(top_path.get(), O_RDONLY | O_DIRECTORY, path);
    walk(walk, src.get(), top_dir.get(), std::string(path));
}

void RootFiles::pull_tree(std::string_view path, const fs::path& target) {
    std::string rel = relative_path(path);
    UniqueFd top = resolve(rel, path, O_PATH | O_NOFOLLOW);
    struct stat st {};
    if (::fstat(top.get(), &st) != 0) throw path_error("inspecting", path, errno);
    if (!S_ISDIR(st.st_mode)) {
        if (S_ISLNK(st.st_mode)) {
            std::string link = read_link_at(top.get(), "");
            if (::symlink(link.c_str(), target.c_str()) != 0) throw Error::from_errno(fmt::format("creating {}", target.string()), errno);
            return;
        }
        UniqueFd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) throw Error::from_errno(fmt::format("creating {}", target.string()), errno);
        FileInfo info = pull(path, out.get());
        ::fchmod(out.get(), info.mode);
        return;
    }
    std::error_code ec;
    fs::create_directories(target, ec);
    UniqueFd host_top(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!host_top) throw Error::from_errno(fmt::format("opening {}", target.string()), errno);
    UniqueFd inst_top = reopen_readable(top.get(), O_RDONLY | O_DIRECTORY, path);

    auto walk = [&](auto& self, int inst_dir, int host_dir, const std::string& shown) -> void {
        for (const auto& name : dir_entries(inst_dir, shown)) {
            std::string child = join(shown, name);
            const char* n = name.c_str();
            UniqueFd entry(::openat(inst_dir, n, O_PATH | O_NOFOLLOW | O_CLOEXEC));
            struct stat es {};
            if (!entry || ::fstat(entry.get(), &es) != 0) continue;  // gone meanwhile
            if (S_ISDIR(es.st_mode)) {
                if (::mkdirat(host_dir, n, 0700) != 0 && errno != EEXIST) throw Error::from_errno(fmt::format("creating {}", child), errno);
                UniqueFd to(::openat(host_dir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!to) throw Error::from_errno(fmt::format("opening the copy of {}", child), errno);
                UniqueFd from = reopen_readable(entry.get(), O_RDONLY | O_DIRECTORY, child);
                self(self, from.get(), to.get(), child);
                ::fchmod(to.get(), es.st_mode & 07777);
            } else if (S_ISREG(es.st_mode)) {
                UniqueFd from = reopen_readable(entry.get(), O_RDONLY, child);
                UniqueFd to(::openat(host_dir, n, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!to) throw Error::from_errno(fmt::format("creating the copy of {}", child), errno);
                copy_stream(from.get(), to.get(), child);
                ::fchmod(to.get(), es.st_mode & 07777);
            } else if (S_ISLNK(es.st_mode)) {
                std::string link = read_link_at(entry.get(), "");
                ::unlinkat(host_dir, n, 0);
                if (::symlinkat(link.c_str(), host_dir, n) != 0) throw Error::from_errno(fmt::format("creating the copy of {}", child), errno);
            }
            // Device nodes, fifos and sockets are not copied.
        }
    };
    walk(walk, inst_top.get(), host_top.get(), std::string(path));
    ::fchmod(host_top.get(), st.st_mode & 07777);
}

}  // namespace li::files
