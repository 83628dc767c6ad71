// The storage drivers of this build. Adding one is a folder under drivers/ plus a row here.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "libinstance/error.hpp"
#include "storage/drivers/btrfs/btrfs_driver.hpp"
#include "storage/drivers/dir/dir_driver.hpp"
#include "storage/drivers/mock/mock_driver.hpp"
#include "storage/storage_driver.hpp"

namespace li {

namespace {
struct DriverEntry {
    const char* name;
    std::unique_ptr<StorageDriver> (*make)(const StoragePoolParams&);
    std::map<std::string, std::string> (*config)(const StoragePoolParams&);
};

template <typename Driver>
std::unique_ptr<StorageDriver> make(const StoragePoolParams& params) {
    return std::make_unique<Driver>(params);
}

const DriverEntry kDrivers[] = {
    {"btrfs", make<BtrfsDriver>, BtrfsDriver::pool_config},
    {"dir", make<DirDriver>, DirDriver::pool_config},
    {"mock", make<MockDriver>, MockDriver::pool_config},
};

const DriverEntry& entry_of(const std::string& driver) {
    for (const auto& entry : kDrivers) {
        if (driver == entry.name) return entry;
    }
    throw Error(ErrorCode::NotSupported, fmt::format("storage driver \"{}\" is not supported (available: {})", driver,
                                                     fmt::join(storage_driver_names(), ", ")), "driver");
}
}  // namespace

std::unique_ptr<StorageDriver> make_storage_driver(const std::string& driver, const StoragePoolParams& params) {
    return entry_of(driver).make(params);
}

std::map<std::string, std::string> storage_pool_config(const std::string& driver, const StoragePoolParams& params) {
    return entry_of(driver).config(params);
}

std::vector<std::string> storage_driver_names() {
    std::vector<std::string> names;
    for (const auto& entry : kDrivers) names.push_back(entry.name);
    return names;
}

}  // namespace li
