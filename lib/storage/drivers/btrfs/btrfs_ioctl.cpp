#include "storage/drivers/btrfs/btrfs_ioctl.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::btrfs {

namespace fs = std::filesystem;

namespace {

// The root directory of every btrfs subvolume has this inode number.
constexpr ino_t kSubvolumeRootIno = 256;

UniqueFd open_dir(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
    return fd;
}

template <typename Args>
void set_name(Args& args, const fs::path& path) {
    std::string name = path.filename().string();
    if (name.empty() || name.size() >= sizeof args.name)
        throw Error(ErrorCode::InvalidArgument, fmt::format("subvolume name \"{}\" is empty or too long", name));
    std::memcpy(args.name, name.c_str(), name.size() + 1);
}

}  // namespace

bool is_btrfs(const fs::path& path) {
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && st.f_type == static_cast<decltype(st.f_type)>(BTRFS_SUPER_MAGIC);
}

bool is_subvolume(const fs::path& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == kSubvolumeRootIno && is_btrfs(path);
}

void create_subvolume(const fs::path& path) {
    UniqueFd parent = open_dir(path.parent_path());
    struct btrfs_ioctl_vol_args args {};
    set_name(args, path);
    if (::ioctl(parent.get(), BTRFS_IOC_SUBVOL_CREATE, &args) != 0)
        throw Error::from_errno(fmt::format("creating subvolume {}", path.string()), errno);
}

void snapshot(const fs::path& from, const fs::path& to, bool read_only) {
    UniqueFd source = open_dir(from);
    UniqueFd parent = open_dir(to.parent_path());
    struct btrfs_ioctl_vol_args_v2 args {};
    args.fd = source.get();
    args.flags = read_only ? BTRFS_SUBVOL_RDONLY : 0;
    set_name(args, to);
    if (::ioctl(parent.get(), BTRFS_IOC_SNAP_CREATE_V2, &args) != 0)
        throw Error::from_errno(fmt::format("snapshotting {} as {}", from.string(), to.string()), errno);
}

void set_read_only(const fs::path& path, bool read_only) {
    UniqueFd fd = open_dir(path);
    __u64 flags = 0;
    if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_GETFLAGS, &flags) != 0)
        throw Error::from_errno(fmt::format("reading flags of subvolume {}", path.string()), errno);
    flags = read_only ? (flags | BTRFS_SUBVOL_RDONLY) : (flags & ~static_cast<__u64>(BTRFS_SUBVOL_RDONLY));
    if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_SETFLAGS, &flags) != 0)
        throw Error::from_errno(fmt::format("setting subvolume {} {}", path.string(), read_only ? "read-only" : "writable"), errno);
}

void delete_subvolume(const fs::path& path) {
    UniqueFd parent = open_dir(path.parent_path());
    struct btrfs_ioctl_vol_args args {};
    set_name(args, path);
    if (::ioctl(parent.get(), BTRFS_IOC_SNAP_DESTROY, &args) != 0)
        throw Error::from_errno(fmt::format("deleting subvolume {}", path.string()), errno);
}

}  // namespace li::btrfs
