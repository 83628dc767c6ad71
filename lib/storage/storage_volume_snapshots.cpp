// StorageVolumeStore: snapshots of custom volumes (contract; implementation in progress).
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"

namespace li {

namespace {
[[noreturn]] void pending(const char* what) {
    throw Error(ErrorCode::NotSupported, std::string(what) + " is not implemented yet", "");
}
}  // namespace

void StorageVolumeStore::move(std::string_view, std::string_view, const api::StorageVolumePost&, std::string_view) {
    pending("moving a storage volume");
}
api::StorageVolumeSnapshot StorageVolumeStore::create_snapshot(std::string_view, std::string_view,
                                                               const api::StorageVolumeSnapshotsPost&, std::string_view) {
    pending("volume snapshots");
}
std::vector<api::StorageVolumeSnapshot> StorageVolumeStore::list_snapshots(std::string_view, std::string_view, std::string_view) {
    pending("volume snapshots");
}
api::StorageVolumeSnapshot StorageVolumeStore::get_snapshot(std::string_view, std::string_view, std::string_view,
                                                            std::string_view) {
    pending("volume snapshots");
}
void StorageVolumeStore::update_snapshot(std::string_view, std::string_view, std::string_view,
                                         const api::StorageVolumeSnapshotPut&, std::string_view) {
    pending("volume snapshots");
}
void StorageVolumeStore::rename_snapshot(std::string_view, std::string_view, std::string_view, std::string_view,
                                         std::string_view) {
    pending("volume snapshots");
}
void StorageVolumeStore::delete_snapshot(std::string_view, std::string_view, std::string_view, std::string_view) {
    pending("volume snapshots");
}
void StorageVolumeStore::restore_snapshot(std::string_view, std::string_view, std::string_view, std::string_view) {
    pending("volume snapshots");
}

}  // namespace li
