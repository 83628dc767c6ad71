#include "storage/drivers/btrfs/btrfs_resize.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/btrfs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "sys/mount.hpp"
#include "sys/unique_fd.hpp"

namespace li::btrfs {

namespace fs = std::filesystem;

namespace {

// The loop device re-reads its backing file's size; without this it keeps the size it had when
// attached and the file system could not grow.
void refresh_capacity(const std::string& device) {
    UniqueFd dev(::open(device.c_str(), O_RDWR | O_CLOEXEC));
    if (!dev) throw Error::from_errno(fmt::format("opening {}", device), errno);
    if (::ioctl(dev.get(), LOOP_SET_CAPACITY, 0) != 0)
        throw Error::from_errno(fmt::format("refreshing the capacity of {}", device), errno);
}

// "max" makes btrfs take all of its (single) device, as `btrfs filesystem resize max` does.
void resize_to_max(const fs::path& mount_dir) {
    UniqueFd dir(::open(mount_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw Error::from_errno(fmt::format("opening {}", mount_dir.string()), errno);
    struct btrfs_ioctl_vol_args args {};
    std::strncpy(args.name, "max", sizeof args.name - 1);
    if (::ioctl(dir.get(), BTRFS_IOC_RESIZE, &args) != 0)
        throw Error::from_errno(fmt::format("resizing the btrfs file system at {}", mount_dir.string()), errno);
}

}  // namespace

void grow_loop_pool(const fs::path& file, const fs::path& mount_dir, uint64_t bytes) {
    std::string device = loop_find(file);
    if (device.empty())
        throw Error(ErrorCode::NotFound, fmt::format("loop file {} is not attached (is the pool mounted?)", file.string()), "source");
    UniqueFd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) throw Error::from_errno(fmt::format("opening {}", file.string()), errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", file.string()), errno);
    auto old_size = static_cast<uint64_t>(st.st_size);
    if (bytes < old_size)
        throw Error::invalid("size", fmt::format("a btrfs pool cannot shrink (loop file {} has {} bytes, asked for {})",
                                                 file.string(), old_size, bytes));
    if (bytes == old_size) return;

    Reverter revert;
    // Sparse growth: no data is written, so this takes no space until the pool fills it.
    if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) throw Error::from_errno(fmt::format("growing {}", file.string()), errno);
    revert.add([&] {
        if (::ftruncate(fd.get(), static_cast<off_t>(old_size)) == 0) {
            try {
                refresh_capacity(device);
            } catch (const Error&) {
            }
        }
    });
    refresh_capacity(device);
    resize_to_max(mount_dir);
    revert.success();
}

}  // namespace li::btrfs
