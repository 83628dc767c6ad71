#include "sys/mount.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <linux/loop.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <csignal>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <vector>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr long kOverlayMagic = 0x794c7630;

// /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            int v = 0;
            bool ok = true;
            for (size_t j = 1; j <= 3; ++j) {
                if (s[i + j] < '0' || s[i + j] > '7') ok = false;
                else v = v * 8 + (s[i + j] - '0');
            }
            if (ok) {
                out += static_cast<char>(v);
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::vector<std::string> mount_points() {
    std::ifstream in("/proc/self/mountinfo");
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, point;
        if (fields >> id >> parent >> devno >> root >> point) out.push_back(unescape_mountinfo(point));
    }
    return out;
}

void check_overlay_path(const fs::path& p) {
    if (p.string().find_first_of(",:\\") != std::string::npos)
        throw Error(ErrorCode::NotSupported, fmt::format("path {} cannot be an overlay layer (it contains ',', ':' or '\\')", p.string()));
}

}  // namespace

bool is_mount_point(const fs::path& path) {
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0) return false;
    if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    struct stat self {}, parent {};
    if (::stat(path.c_str(), &self) != 0 || ::stat((path / "..").c_str(), &parent) != 0) return false;
    return self.st_dev != parent.st_dev;
}

bool is_overlay(const fs::path& path) {
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && st.f_type == kOverlayMagic;
}

void mount_overlay(const fs::path& lower, const fs::path& upper, const fs::path& work, const fs::path& target) {
    for (const auto& p : {lower, upper, work}) check_overlay_path(p);
    std::string options = fmt::format("lowerdir={},upperdir={},workdir={}", lower.string(), upper.string(), work.string());
    if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0)
        throw Error::from_errno(fmt::format("mounting an overlay at {}", target.string()), errno);
}

void mount_overlay_readonly(const std::vector<fs::path>& layers, const fs::path& target) {
    std::string lowers;
    for (const auto& layer : layers) {
        check_overlay_path(layer);
        lowers += (lowers.empty() ? "" : ":") + layer.string();
    }
    // Without an upper layer overlayfs needs two lower layers at least, and the mount is read-only.
    std::string options = "lowerdir=" + lowers;
    if (::mount("overlay", target.c_str(), "overlay", MS_RDONLY, options.c_str()) != 0)
        throw Error::from_errno(fmt::format("mounting a read-only overlay at {}", target.string()), errno);
}

UniqueFd userns_for(const IdMap& idmap) {
    // The child only has to exist while its maps are written and its namespace is opened; then it
    // is killed. It must not wait on a pipe: a raw clone copies every fd of the process, so two
    // threads doing this at once would each give their child the other's write end, and both
    // children would wait forever.
    pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
    if (pid < 0) throw Error::from_errno("creating a user namespace", errno);
    if (pid == 0) {
        for (;;) ::pause();
    }
    auto reap = [pid] {
        ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    };
    try {
        auto write_map = [&](const char* file, bool uid) {
            std::string path = fmt::format("/proc/{}/{}", pid, file);
            UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
            std::string map;  // all lines in one write: the kernel accepts a single write
            for (const auto& l : idmap_lines(idmap, uid)) map += fmt::format("{} {} {}\n", l.ns_start, l.host_start, l.size);
            if (!fd || ::write(fd.get(), map.data(), map.size()) != static_cast<ssize_t>(map.size()))
                throw Error::from_errno(fmt::format("writing {}", path), errno);
        };
        write_map("uid_map", true);
        write_map("gid_map", false);
        UniqueFd ns(::open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
        if (!ns) throw Error::from_errno("opening a user namespace", errno);
        reap();
        return ns;
    } catch (...) {
        reap();
        throw;
    }
}

void bind_idmapped(const fs::path& source, const fs::path& target, int userns_fd) {
    UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!tree) throw Error::from_errno(fmt::format("cloning {}", source.string()), errno);
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns_fd);
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
        throw Error::from_errno(fmt::format("idmapping {}", source.string()), errno);
    if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        throw Error::from_errno(fmt::format("attaching an idmapped {} at {}", source.string(), target.string()), errno);
}

void with_fs_ids(uint64_t uid, uint64_t gid, const std::function<void()>& fn) {
    // Raw syscalls: they change only this thread's credentials (glibc's wrappers would too, but
    // capset must pair with them on the same thread).
    struct __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[2] {};
    if (::syscall(SYS_capget, &header, caps) != 0) throw Error::from_errno("reading capabilities", errno);
    ::syscall(SYS_setfsgid, static_cast<gid_t>(gid));
    ::syscall(SYS_setfsuid, static_cast<uid_t>(uid));
    // A non-zero fsuid drops the file-system capabilities: raise them again.
    struct __user_cap_data_struct raised[2] = {caps[0], caps[1]};
    raised[0].effective = raised[0].permitted;
    raised[1].effective = raised[1].permitted;
    auto restore = [&] {
        ::syscall(SYS_setfsuid, 0);
        ::syscall(SYS_setfsgid, 0);
        ::syscall(SYS_capset, &header, caps);
    };
    if (::syscall(SYS_capset, &header, raised) != 0) {
        int err = errno;
        restore();
        throw Error::from_errno("raising capabilities", err);
    }
    try {
        fn();
    } catch (...) {
        restore();
        throw;
    }
    restore();
}

void unmount(const fs::path& path) {
    if (!is_mount_point(path)) return;
    if (::umount2(path.c_str(), UMOUNT_NOFOLLOW) == 0) return;
    // Busy (e.g. a shell inside it): detach now, the kernel frees it when the last user leaves.
    if (errno == EBUSY && ::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) return;
    if (errno == EINVAL || errno == ENOENT) return;
    throw Error::from_errno(fmt::format("unmounting {}", path.string()), errno);
}

int unmount_all_below(const fs::path& path) {
    std::error_code ec;
    fs::path base = fs::weakly_canonical(path, ec);
    if (ec) base = path;
    std::string prefix = base.string();
    std::vector<std::string> points;
    for (const auto& p : mount_points()) {
        if (p == prefix || p.rfind(prefix + "/", 0) == 0) points.push_back(p);
    }
    std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    int n = 0;
    for (const auto& p : points) {
        if (::umount2(p.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) ++n;
    }
    return n;
}

std::string loop_find(const fs::path& file) {
    std::error_code ec;
    fs::path target = fs::canonical(file, ec);
    if (ec) return {};
    for (const auto& entry : fs::directory_iterator("/sys/block", ec)) {
        std::string name = entry.path().filename().string();
        if (name.rfind("loop", 0) != 0) continue;
        std::ifstream in(entry.path() / "loop" / "backing_file");
        std::string backing;
        if (!std::getline(in, backing)) continue;
        if (backing == target.string()) return "/dev/" + name;
    }
    return {};
}

LoopDevice loop_attach(const fs::path& file) {
    if (std::string existing = loop_find(file); !existing.empty()) {
        UniqueFd held(::open(existing.c_str(), O_RDWR | O_CLOEXEC));
        if (held) return LoopDevice{existing, std::move(held)};
    }
    UniqueFd backing(::open(file.c_str(), O_RDWR | O_CLOEXEC));
    if (!backing) throw Error::from_errno(fmt::format("opening {}", file.string()), errno);
    UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
    if (!control) throw Error::from_errno("opening /dev/loop-control", errno);
    // Another process may take the free device between asking and configuring it: ask again.
    for (int attempt = 0; attempt < 32; ++attempt) {
        int n = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
        if (n < 0) throw Error::from_errno("finding a free loop device", errno);
        std::string device = fmt::format("/dev/loop{}", n);
        UniqueFd dev(::open(device.c_str(), O_RDWR | O_CLOEXEC));
        if (!dev) throw Error::from_errno(fmt::format("opening {}", device), errno);
        struct loop_config config {};
        config.fd = static_cast<uint32_t>(backing.get());
        config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
        auto name = fs::canonical(file).string();
        name.copy(reinterpret_cast<char*>(config.info.lo_file_name), LO_NAME_SIZE - 1);
        if (::ioctl(dev.get(), LOOP_CONFIGURE, &config) == 0) return LoopDevice{device, std::move(dev)};
        if (errno != EBUSY) throw Error::from_errno(fmt::format("attaching {} to {}", file.string(), device), errno);
    }
    throw Error(ErrorCode::Busy, fmt::format("no free loop device for {}", file.string()));
}

void loop_detach(const std::string& device) {
    if (device.empty()) return;
    UniqueFd dev(::open(device.c_str(), O_RDWR | O_CLOEXEC));
    if (!dev) return;
    if (::ioctl(dev.get(), LOOP_CLR_FD, 0) != 0 && errno != ENXIO)
        throw Error::from_errno(fmt::format("detaching {}", device), errno);
}

}  // namespace li
