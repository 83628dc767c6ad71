#include "vmagent/agent_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace vmagent {

namespace {

// The owner of what is created: the requested one, else the given defaults.
void owner_of(const CreateOptions& opts, uint32_t& uid, uint32_t& gid) {
    if (opts.has & kHasUid) uid = opts.uid;
    if (opts.has & kHasGid) gid = opts.gid;
}

std::string parent_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == 0 || slash == std::string::npos) return "/";
    return path.substr(0, slash);
}

// mkdir -p of path's parents, 0755 and the requested owner.
int make_parents(const std::string& path, const CreateOptions& opts) {
    std::string parent = parent_of(path);
    struct stat st {};
    if (::stat(parent.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    if (int err = make_parents(parent, opts)) return err;
    if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) return errno;
    uint32_t uid = 0, gid = 0;
    owner_of(opts, uid, gid);
    if (::chown(parent.c_str(), uid, gid) != 0) return errno;
    return 0;
}

std::string read_link(const std::string& path) {
    std::string buf(4096, '\0');
    for (;;) {
        ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
        if (n < 0) return {};
        if (static_cast<size_t>(n) < buf.size()) return buf.substr(0, static_cast<size_t>(n));
        if (buf.size() >= kMaxString) return {};
        buf.resize(buf.size() * 2);
    }
}

}  // namespace

int file_stat(const std::string& path, StatResult& out) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return errno;
    out.uid = st.st_uid;
    out.gid = st.st_gid;
    out.mode = st.st_mode & 07777;
    out.size = static_cast<uint64_t>(st.st_size);
    if (S_ISREG(st.st_mode)) {
        out.type = FileType::File;
    } else if (S_ISLNK(st.st_mode)) {
        out.type = FileType::Symlink;
        out.target = read_link(path);
    } else if (S_ISDIR(st.st_mode)) {
        out.type = FileType::Directory;
        DIR* dir = ::opendir(path.c_str());
        if (!dir) return errno;
        while (dirent* e = ::readdir(dir)) {
            std::string name = e->d_name;
            if (name != "." && name != "..") out.entries.push_back(std::move(name));
        }
        ::closedir(dir);
        std::sort(out.entries.begin(), out.entries.end());
    } else {
        out.type = FileType::Other;
    }
    return 0;
}

int file_open_read(const std::string& path, int& fd) {
    // O_NONBLOCK so that opening a fifo cannot hang the agent; only regular files are read.
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno;
    struct stat st {};
    int err = 0;
    if (::fstat(fd, &st) != 0) err = errno;
    else if (S_ISDIR(st.st_mode)) err = EISDIR;
    else if (!S_ISREG(st.st_mode)) err = EINVAL;
    if (err) {
        ::close(fd);
        fd = -1;
    }
    return err;
}

int file_begin_write(const std::string& path, const CreateOptions& opts, int& fd, std::string& temp) {
    if (path == "/" || path.back() == '/') return EISDIR;
    if (opts.has & kCreateParents) {
        if (int err = make_parents(path, opts)) return err;
    }
    // Defaults: an existing file's owner and mode, else root's and 0644.
    uint32_t uid = 0, gid = 0, mode = 0644;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return EISDIR;
        uid = st.st_uid;
        gid = st.st_gid;
        mode = st.st_mode & 07777;
    }
    owner_of(opts, uid, gid);
    if (opts.has & kHasMode) mode = opts.mode & 07777;
    size_t slash = path.find_last_of('/');
    temp = path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".li-agent-XXXXXX";
    fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) {
        temp.clear();
        return errno;
    }
    int err = 0;
    if ((::geteuid() == 0 || (opts.has & (kHasUid | kHasGid))) && ::fchown(fd, uid, gid) != 0) err = errno;
    if (!err && ::fchmod(fd, mode) != 0) err = errno;
    if (err) {
        ::close(fd);
        ::unlink(temp.c_str());
        fd = -1;
        temp.clear();
    }
    return err;
}

int file_commit(int fd, const std::string& temp, const std::string& path) {
    int err = 0;
    if (::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && !err) err = errno;
    if (!err && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
    if (err) ::unlink(temp.c_str());
    return err;
}

int file_mkdir(const std::string& path, const CreateOptions& opts) {
    if (path == "/") return (opts.has & kCreateParents) ? 0 : EEXIST;
    if (opts.has & kCreateParents) {
        if (int err = make_parents(path, opts)) return err;
    }
    if (::mkdir(path.c_str(), 0700) != 0) {
        int err = errno;
        struct stat st {};
        if (err == EEXIST && (opts.has & kCreateParents) && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        return err;
    }
    uint32_t uid = 0, gid = 0;
    owner_of(opts, uid, gid);
    if ((::geteuid() == 0 || (opts.has & (kHasUid | kHasGid))) && ::chown(path.c_str(), uid, gid) != 0) return errno;
    if (::chmod(path.c_str(), (opts.has & kHasMode) ? (opts.mode & 07777) : 0755) != 0) return errno;
    return 0;
}

int file_symlink(const std::string& path, const std::string& target, const CreateOptions& opts) {
    if (opts.has & kCreateParents) {
        if (int err = make_parents(path, opts)) return err;
    }
    if (::symlink(target.c_str(), path.c_str()) != 0) return errno;
    uint32_t uid = 0, gid = 0;
    owner_of(opts, uid, gid);
    if ((::geteuid() == 0 || (opts.has & (kHasUid | kHasGid))) && ::lchown(path.c_str(), uid, gid) != 0) return errno;
    return 0;
}

int file_remove(const std::string& path) {
    if (::unlink(path.c_str()) == 0) return 0;
    if (errno != EISDIR) return errno;
    if (::rmdir(path.c_str()) == 0) return 0;
    return errno == EEXIST ? ENOTEMPTY : errno;
}

}  // namespace vmagent
