#include "instance/root_disk_size.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "storage/size.hpp"

namespace li {

RootDiskSize root_disk_size(const api::DeviceMap& devices) {
    for (const auto& [name, dev] : devices) {
        auto type = dev.find("type");
        auto path = dev.find("path");
        if (type == dev.end() || type->second != "disk" || path == dev.end() || path->second != "/") continue;
        auto size = dev.find("size");
        return RootDiskSize{"devices." + name + ".size", size == dev.end() ? std::string() : size->second};
    }
    return {};
}

void apply_root_disk_size(StorageDriver& pool, const VolumeRef& vol, const api::DeviceMap& devices) {
    // A VM's root disk is its disk image, which its driver grows to the size at start; the
    // volume holding it needs no quota.
    std::error_code ec;
    std::filesystem::path dir = pool.volume_path(vol);
    if (std::filesystem::exists(dir / "root.img", ec) && !std::filesystem::exists(dir / "rootfs", ec)) return;
    RootDiskSize size = root_disk_size(devices);
    const std::string key = size.key.empty() ? std::string("devices") : size.key;
    const uint64_t bytes = size.value.empty() ? 0 : parse_size(size.value, key);
    try {
        pool.set_volume_size(vol, bytes);
    } catch (const Error& e) {
        // A pool that cannot limit sizes has no limit to lift either.
        if (bytes == 0 && e.code() == ErrorCode::NotSupported) return;
        // The driver names its own "size"; the user set the device key.
        std::string what = bytes == 0 ? fmt::format("removing the root disk size ({})", key)
                                      : fmt::format("root disk size {}={}", key, size.value);
        throw Error(e.code(), fmt::format("{}: {}", what, e.what()), e.key().empty() || e.key() == "size" ? key : e.key(),
                    e.sys_errno());
    }
}

bool change_root_disk_size(StorageDriver& pool, const VolumeRef& vol, const api::DeviceMap& before, const api::DeviceMap& after) {
    if (root_disk_size(before).value == root_disk_size(after).value) return false;
    apply_root_disk_size(pool, vol, after);
    return true;
}

}  // namespace li
