#include "instance/drivers/lxc/devices/container_mount.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// fstab escapes (liblxc reads lxc.mount.entry like fstab): space, tab, newline, backslash.
std::string fstab_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\\') out += fmt::format("\\{:03o}", static_cast<unsigned char>(c));
        else out += c;
    }
    return out;
}

// What the child reports when a step fails: which step, and errno.
struct ChildReport {
    int step = 0;
    int err = 0;
};

enum Step { kOk = 0, kSetns, kRoot, kFsIds, kMkdir, kCreate, kOpenTarget, kMove, kPropagation, kUnmount, kUserns, kClone };

const char* step_text(int step) {
    switch (step) {
        case kSetns: return "entering the container's mount namespace";
        case kRoot: return "opening the container's root";
        case kFsIds: return "taking the container root's ids";
        case kMkdir: return "creating a directory of the target";
        case kCreate: return "creating the target";
        case kOpenTarget: return "opening the target";
        case kMove: return "attaching the mount";
        case kPropagation: return "setting the mount propagation";
        case kUnmount: return "unmounting";
        case kUserns: return "entering the container's user namespace";
        case kClone: return "cloning the source mount";
        default: return "preparing";
    }
}

int openat2_in_root(int root, const char* path, uint64_t flags) {
    struct open_how how {};
    how.flags = flags | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, root, path, &how, sizeof how));
}

// Runs body in a forked child that joined the mount namespace of init_pid; body returns a
// ChildReport (step 0 = success). Forked, not a thread: a multithreaded process cannot join a
// mount namespace. The child only makes system calls.
// `before` runs first, still in the host's mount namespace.
template <typename Body, typename Before>
void in_container_mntns(pid_t init_pid, Body body, Before before) {
    UniqueFd mntns(::open(fmt::format("/proc/{}/ns/mnt", init_pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (!mntns) throw Error::from_errno(fmt::format("opening the mount namespace of pid {}", init_pid), errno);
    Pipe pipe = make_pipe();
    pid_t pid = ::fork();
    if (pid < 0) throw Error::from_errno("forking", errno);
    if (pid == 0) {
        ChildReport report = before();
        if (report.step != kOk) {
        } else if (::setns(mntns.get(), CLONE_NEWNS) != 0) {
            report = {kSetns, errno};
        } else {
            report = body();
        }
        ssize_t unused = ::write(pipe.write.get(), &report, sizeof report);
        (void)unused;
        ::_exit(report.step == kOk ? 0 : 1);
    }
    pipe.write.reset();
    ChildReport report{kSetns, EPIPE};
    ssize_t n = ::read(pipe.read.get(), &report, sizeof report);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof report)) report = {kSetns, ECHILD};
    if (report.step != kOk) throw Error::from_errno(std::string(step_text(report.step)) + " inside the container", report.err);
}

template <typename Body>
void in_container_mntns(pid_t init_pid, Body body) {
    in_container_mntns(init_pid, body, [] { return ChildReport{}; });
}

// The container's user namespace, or an empty fd when it runs in the host's (privileged).
UniqueFd container_userns(pid_t init_pid) {
    UniqueFd ns(::open(fmt::format("/proc/{}/ns/user", init_pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw Error::from_errno(fmt::format("opening the user namespace of pid {}", init_pid), errno);
    struct stat theirs {}, ours {};
    if (::fstat(ns.get(), &theirs) == 0 && ::stat("/proc/self/ns/user", &ours) == 0 && theirs.st_ino == ours.st_ino &&
        theirs.st_dev == ours.st_dev)
        return UniqueFd();
    return ns;
}

// The path's components ("a", "b", "c" of "/a/b/c"); refuses ".." (a target is an absolute path
// inside the container, never a way out of a directory).
std::vector<std::string> components(const std::string& target) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < target.size()) {
        size_t j = target.find('/', i);
        if (j == std::string::npos) j = target.size();
        std::string c = target.substr(i, j - i);
        if (c == "..") throw Error::invalid("path", fmt::format("path \"{}\" has a \"..\" component", target));
        if (!c.empty() && c != ".") out.push_back(c);
        i = j + 1;
    }
    return out;
}

unsigned long propagation_flag(const std::string& p) {
    std::string base = !p.empty() && p.front() == 'r' ? p.substr(1) : p;
    if (base == "private") return MS_PRIVATE;
    if (base == "shared") return MS_SHARED;
    if (base == "slave") return MS_SLAVE;
    if (base == "unbindable") return MS_UNBINDABLE;
    return 0;
}

// Takes the container root's host ids as file-system ids, keeping the effective capabilities (a
// non-zero fsuid drops them): what it creates is then owned by the container's root.
bool become_container_root_fs(uint64_t uid, uint64_t gid) {
    struct __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[2] {};
    if (::syscall(SYS_capget, &header, caps) != 0) return false;
    ::syscall(SYS_setfsgid, static_cast<gid_t>(gid));
    ::syscall(SYS_setfsuid, static_cast<uid_t>(uid));
    caps[0].effective = caps[0].permitted;
    caps[1].effective = caps[1].permitted;
    return ::syscall(SYS_capset, &header, caps) == 0;
}

}  // namespace

fs::path device_dir(const DeviceEnv& env, const std::string& name) {
    fs::create_directories(env.devices_dir);
    ::chmod(env.devices_dir.c_str(), 0711);
    fs::path dir = env.devices_dir / name;
    fs::create_directories(dir);
    ::chmod(dir.c_str(), 0711);
    return dir;
}

std::string mount_entry(const fs::path& source, const std::string& target, bool directory, bool recursive,
                        const std::string& options) {
    std::string rel = target;
    while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
    return fmt::format("{} {} none {},create={}{}{} 0 0", fstab_escape(source.string()), fstab_escape(rel),
                       recursive ? "rbind" : "bind", directory ? "dir" : "file", options.empty() ? "" : ",", options);
}

void mount_into_container(pid_t init_pid, const IdMap& idmap, const fs::path& source, const std::string& target,
                          bool directory, const std::string& propagation) {
    // Everything the child needs is computed here: after fork it only makes system calls.
    std::vector<std::string> parts = components(target);
    if (parts.empty()) throw Error::invalid("path", fmt::format("cannot mount over the container's root (\"{}\")", target));
    std::vector<std::string> prefixes;
    std::string prefix;
    for (const auto& p : parts) prefixes.push_back(prefix += "/" + p);
    unsigned long prop = propagation_flag(propagation);
    bool prop_recursive = !propagation.empty() && propagation.front() == 'r';

    // The clone is made inside the container's user namespace, from a private copy of the host's
    // mounts that the kernel locks (as for any mount handed to a less privileged namespace): the
    // container's root cannot then remount a read-only disk read-write or uncover what is below.
    UniqueFd userns = container_userns(init_pid);
    UniqueFd tree;
    if (!userns) {
        tree.reset(static_cast<int>(
            ::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)));
        if (!tree) throw Error::from_errno(fmt::format("cloning the mount {}", source.string()), errno);
    }
    auto clone_locked = [&]() -> ChildReport {
        if (!userns) return {kOk, 0};
        if (::setns(userns.get(), CLONE_NEWUSER) != 0) return {kUserns, errno};
        // Joining keeps the host's ids, unmapped in there: become the namespace's root.
        if (::syscall(SYS_setresgid, 0, 0, 0) != 0 || ::syscall(SYS_setresuid, 0, 0, 0) != 0) return {kUserns, errno};
        if (::unshare(CLONE_NEWNS) != 0) return {kClone, errno};
        tree.reset(static_cast<int>(
            ::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)));
        return tree ? ChildReport{kOk, 0} : ChildReport{kClone, errno};
    };

    in_container_mntns(init_pid, [&]() -> ChildReport {
        UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) return {kRoot, errno};
        // In the container's user namespace the child already is the container's root.
        if (!userns && !become_container_root_fs(root_host_uid(idmap), root_host_gid(idmap))) return {kFsIds, errno};
        // Each directory above the target, created if missing, each looked up inside the root.
        UniqueFd parent(::dup(root.get()));
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            UniqueFd dir(openat2_in_root(root.get(), prefixes[i].c_str(), O_PATH | O_DIRECTORY));
            if (!dir && errno == ENOENT) {
                if (::mkdirat(parent.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST) return {kMkdir, errno};
                dir.reset(openat2_in_root(root.get(), prefixes[i].c_str(), O_PATH | O_DIRECTORY));
            }
            if (!dir) return {kMkdir, errno};
            parent = std::move(dir);
        }
        const char* last = parts.back().c_str();
        int made = directory ? ::mkdirat(parent.get(), last, 0755) : ::mknodat(parent.get(), last, S_IFREG | 0644, 0);
        if (made != 0 && errno != EEXIST) return {kCreate, errno};
        UniqueFd at(openat2_in_root(root.get(), prefixes.back().c_str(), O_PATH));
        if (!at) return {kOpenTarget, errno};
        if (::syscall(SYS_move_mount, tree.get(), "", at.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
            return {kMove, errno};
        if (prop) {
            struct mount_attr attr {};
            attr.propagation = prop;
            if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH | (prop_recursive ? AT_RECURSIVE : 0), &attr,
                          sizeof attr) != 0)
                return {kPropagation, errno};
        }
        return {kOk, 0};
    }, clone_locked);
}

void unmount_in_container(pid_t init_pid, const std::string& target, bool remove_file) {
    std::vector<std::string> parts = components(target);
    if (parts.empty()) return;
    std::string path;
    for (const auto& p : parts) path += "/" + p;
    in_container_mntns(init_pid, [&]() -> ChildReport {
        // The root here is the container's: a symlink on the way resolves inside it.
        if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT)
            return {kUnmount, errno};
        struct stat st {};
        if (remove_file && ::fstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_size == 0)
            ::unlink(path.c_str());
        return {kOk, 0};
    });
}

}  // namespace li
