#include "storage/drivers/btrfs/btrfs_qgroup.hpp"

#include <cerrno>
#include <cstring>
#include <endian.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::btrfs {

namespace fs = std::filesystem;

namespace {

UniqueFd open_dir(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
    return fd;
}

// One item of the quota tree: (0, type, qgroup id). False when quotas are off or it is absent.
template <typename Item>
bool read_quota_item(int fd, uint8_t type, uint64_t qgroupid, Item& out) {
    struct btrfs_ioctl_search_args args {};
    auto& key = args.key;
    key.tree_id = BTRFS_QUOTA_TREE_OBJECTID;
    key.min_objectid = key.max_objectid = 0;
    key.min_type = key.max_type = type;
    key.min_offset = key.max_offset = qgroupid;
    key.max_transid = UINT64_MAX;
    key.nr_items = 1;
    if (::ioctl(fd, BTRFS_IOC_TREE_SEARCH, &args) != 0) {
        if (errno == ENOENT) return false;  // no quota tree: quotas are off
        throw Error::from_errno(fmt::format("reading qgroup 0/{}", qgroupid), errno);
    }
    if (key.nr_items == 0) return false;
    btrfs_ioctl_search_header header;
    std::memcpy(&header, args.buf, sizeof header);
    if (header.type != type || header.offset != qgroupid || header.len < sizeof(Item)) return false;
    std::memcpy(&out, args.buf + sizeof header, sizeof(Item));
    return true;
}

}  // namespace

uint64_t subvolume_id(const fs::path& path) {
    UniqueFd fd = open_dir(path);
    struct btrfs_ioctl_ino_lookup_args args {};
    args.objectid = BTRFS_FIRST_FREE_OBJECTID;
    if (::ioctl(fd.get(), BTRFS_IOC_INO_LOOKUP, &args) != 0)
        throw Error::from_errno(fmt::format("looking up the subvolume of {}", path.string()), errno);
    return args.treeid;
}

void enable_quota(const fs::path& path) {
    UniqueFd fd = open_dir(path);
    struct btrfs_ioctl_quota_ctl_args ctl {};
    ctl.cmd = BTRFS_QUOTA_CTL_ENABLE;
    if (::ioctl(fd.get(), BTRFS_IOC_QUOTA_CTL, &ctl) != 0 && errno != EEXIST)
        throw Error::from_errno(fmt::format("enabling btrfs quotas on {}", path.string()), errno);
    // Enabling starts a rescan; figures are only right once it is done.
    if (::ioctl(fd.get(), BTRFS_IOC_QUOTA_RESCAN_WAIT, nullptr) != 0 && errno != EINVAL)
        throw Error::from_errno(fmt::format("waiting for the btrfs quota rescan on {}", path.string()), errno);
}

void set_qgroup_limit(const fs::path& subvolume, uint64_t bytes) {
    UniqueFd fd = open_dir(subvolume);
    struct btrfs_ioctl_qgroup_limit_args args {};
    args.qgroupid = 0;  // the subvolume the fd is in
    args.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
    args.lim.max_rfer = bytes == 0 ? UINT64_MAX : bytes;  // all ones clears the limit
    if (::ioctl(fd.get(), BTRFS_IOC_QGROUP_LIMIT, &args) != 0)
        throw Error::from_errno(fmt::format("limiting subvolume {} to {} bytes", subvolume.string(), bytes), errno);
}

std::optional<QgroupFigures> qgroup_figures(const fs::path& subvolume) {
    const uint64_t id = subvolume_id(subvolume);
    UniqueFd fd = open_dir(subvolume);
    btrfs_qgroup_info_item info {};
    if (!read_quota_item(fd.get(), BTRFS_QGROUP_INFO_KEY, id, info)) return std::nullopt;
    QgroupFigures figures;
    figures.referenced = le64toh(info.rfer);
    figures.exclusive = le64toh(info.excl);
    btrfs_qgroup_limit_item limit {};
    if (read_quota_item(fd.get(), BTRFS_QGROUP_LIMIT_KEY, id, limit) && (le64toh(limit.flags) & BTRFS_QGROUP_LIMIT_MAX_RFER))
        figures.max_referenced = le64toh(limit.max_rfer);
    return figures;
}

}  // namespace li::btrfs
