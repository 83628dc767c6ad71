// What a driver does not override it cannot do: each default says so, naming the operation and
// the driver, instead of pretending.
#include <fmt/format.h>

#include "libinstance/error.hpp"
#include "storage/storage_driver.hpp"

namespace li {

namespace {
[[noreturn]] void unsupported(const StorageDriver& d, const char* what) {
    throw Error(ErrorCode::NotSupported, fmt::format("the {} storage driver cannot {}", d.info().name, what));
}
}  // namespace

PoolUsage StorageDriver::pool_usage() const { unsupported(*this, "report its usage"); }
void StorageDriver::update_pool(const std::map<std::string, std::string>& changed) {
    if (changed.empty()) return;
    const auto& key = changed.begin()->first;
    throw Error::invalid(key, fmt::format("{} pool config key \"{}\" cannot be changed after the pool is created", info().name, key));
}
void StorageDriver::rename_volume(const VolumeRef&, const std::string&) { unsupported(*this, "rename volumes"); }
void StorageDriver::set_volume_size(const VolumeRef&, uint64_t) { unsupported(*this, "limit a volume's size"); }
uint64_t StorageDriver::volume_usage(const VolumeRef&) const { unsupported(*this, "report a volume's usage"); }
void StorageDriver::create_snapshot(const VolumeRef&, const std::string&, OperationContext&) { unsupported(*this, "snapshot volumes"); }
std::vector<std::string> StorageDriver::list_snapshots(const VolumeRef&) const { return {}; }
std::filesystem::path StorageDriver::snapshot_path(const VolumeRef&, const std::string&) const { unsupported(*this, "snapshot volumes"); }
void StorageDriver::delete_snapshot(const VolumeRef&, const std::string&) { unsupported(*this, "snapshot volumes"); }
void StorageDriver::rename_snapshot(const VolumeRef&, const std::string&, const std::string&) { unsupported(*this, "snapshot volumes"); }
void StorageDriver::restore_snapshot(const VolumeRef&, const std::string&, OperationContext&) { unsupported(*this, "snapshot volumes"); }

}  // namespace li
