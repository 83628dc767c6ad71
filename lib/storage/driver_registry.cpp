// The storage drivers of this build. Adding one is a folder under drivers/ plus a row here.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "libinstance/error.hpp"
#include "storage/drivers/dir/dir_driver.hpp"
#include "storage/storage_driver.hpp"

namespace li {

namespace {
struct DriverEntry {
    const char* name;
    std::unique_ptr<StorageDriver> (*make)(const std::filesystem::path&, const std::map<std::string, std::string>&);
};

const DriverEntry kDrivers[] = {
    {"dir", [](const std::filesystem::path& dir, const std::map<std::string, std::string>&) -> std::unique_ptr<StorageDriver> {
         return std::make_unique<DirDriver>(dir);
     }},
};
}  // namespace

std::unique_ptr<StorageDriver> make_storage_driver(const std::string& driver, const std::filesystem::path& pool_dir,
                                                   const std::map<std::string, std::string>& config) {
    for (const auto& entry : kDrivers) {
        if (driver == entry.name) return entry.make(pool_dir, config);
    }
    throw Error(ErrorCode::NotSupported, fmt::format("storage driver \"{}\" is not supported (available: {})", driver,
                                                     fmt::join(storage_driver_names(), ", ")), "driver");
}

std::vector<std::string> storage_driver_names() {
    std::vector<std::string> names;
    for (const auto& entry : kDrivers) names.push_back(entry.name);
    return names;
}

}  // namespace li
