// Manager methods over the storage volumes section of the C ABI (custom volumes, their moves and
// snapshots). Documents travel as JSON text; the Python package parses it. project None is the
// default project, as everywhere.

#include "bindings.hpp"

namespace li::python {

void init_storage_volumes(ManagerClass& cls) {
    cls.def(
        "storage_volume_create",
        [](const ManagerHandle& self, const std::string& pool, const std::string& post_json, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_create_json(&json, mgr.get(), c_str_or_null(project), pool.c_str(), post_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("post_json"), py::arg("project") = py::none(),
        "Creates a custom volume from a StorageVolumesPost document; returns the volume as JSON.");
    cls.def(
        "storage_volume_create_async",
        [](const ManagerHandle& self, const std::string& pool, const std::string& post_json, std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_storage_volume_create_json_async(out, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                           post_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("post_json"), py::arg("project") = py::none(),
        "storage_volume_create as an operation (a copy is cancellable; metadata \"name\" once it succeeds).");
    cls.def(
        "storage_volume_list",
        [](const ManagerHandle& self, const std::string& pool, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_list_json(&json, mgr.get(), c_str_or_null(project), pool.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("project") = py::none(), "The volumes of a pool (custom, container, image) as a JSON array.");
    cls.def(
        "storage_volume_get",
        [](const ManagerHandle& self, const std::string& pool, const std::string& type, const std::string& name,
           std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_get_json(&json, mgr.get(), c_str_or_null(project), pool.c_str(), type.c_str(),
                                                  name.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("type"), py::arg("name"), py::arg("project") = py::none(), "One volume as JSON.");
    cls.def(
        "storage_volume_update",
        [](const ManagerHandle& self, const std::string& pool, const std::string& name, const std::string& put_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_update_json(mgr.get(), c_str_or_null(project), pool.c_str(), name.c_str(),
                                                     put_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("name"), py::arg("put_json"), py::arg("project") = py::none(),
        "Replaces a custom volume's description and config (StorageVolumePut JSON).");
    cls.def(
        "storage_volume_rename",
        [](const ManagerHandle& self, const std::string& pool, const std::string& name, const std::string& new_name,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_rename(mgr.get(), c_str_or_null(project), pool.c_str(), name.c_str(), new_name.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("name"), py::arg("new_name"), py::arg("project") = py::none(),
        "Renames a custom volume (refused while in use).");
    cls.def(
        "storage_volume_delete",
        [](const ManagerHandle& self, const std::string& pool, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_delete(mgr.get(), c_str_or_null(project), pool.c_str(), name.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("name"), py::arg("project") = py::none(), "Deletes a custom volume (refused while in use).");
    cls.def(
        "storage_volume_move",
        [](const ManagerHandle& self, const std::string& pool, const std::string& name, const std::string& post_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_move_json(mgr.get(), c_str_or_null(project), pool.c_str(), name.c_str(),
                                                   post_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("name"), py::arg("post_json"), py::arg("project") = py::none(),
        "Renames a custom volume or moves it with its snapshots to another pool (StorageVolumePost JSON).");
    cls.def(
        "storage_volume_move_async",
        [](const ManagerHandle& self, const std::string& pool, const std::string& name, const std::string& post_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_storage_volume_move_json_async(out, mgr.get(), c_str_or_null(project), pool.c_str(), name.c_str(),
                                                         post_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("name"), py::arg("post_json"), py::arg("project") = py::none(),
        "storage_volume_move as an operation (cancellable; metadata \"name\" and \"pool\" once it succeeds).");
    cls.def(
        "storage_volume_snapshot_create",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& post_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_create_json(&json, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                              volume.c_str(), post_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("volume"), py::arg("post_json"), py::arg("project") = py::none(),
        "Takes a snapshot of a custom volume (StorageVolumeSnapshotsPost JSON); returns the snapshot as JSON.");
    cls.def(
        "storage_volume_snapshot_list",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_list_json(&json, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                            volume.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("volume"), py::arg("project") = py::none(),
        "A custom volume's snapshots, oldest first, as a JSON array.");
    cls.def(
        "storage_volume_snapshot_get",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& snapshot,
           std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_get_json(&json, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                           volume.c_str(), snapshot.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("volume"), py::arg("snapshot"), py::arg("project") = py::none(), "One snapshot as JSON.");
    cls.def(
        "storage_volume_snapshot_update",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& snapshot,
           const std::string& put_json, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_update_json(mgr.get(), c_str_or_null(project), pool.c_str(), volume.c_str(),
                                                              snapshot.c_str(), put_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("volume"), py::arg("snapshot"), py::arg("put_json"), py::arg("project") = py::none(),
        "Replaces a snapshot's description and expiry (StorageVolumeSnapshotPut JSON).");
    cls.def(
        "storage_volume_snapshot_rename",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& snapshot,
           const std::string& new_name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_rename(mgr.get(), c_str_or_null(project), pool.c_str(), volume.c_str(),
                                                         snapshot.c_str(), new_name.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("volume"), py::arg("snapshot"), py::arg("new_name"), py::arg("project") = py::none(),
        "Renames a snapshot of a custom volume.");
    cls.def(
        "storage_volume_snapshot_delete",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& snapshot,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_delete(mgr.get(), c_str_or_null(project), pool.c_str(), volume.c_str(),
                                                         snapshot.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("volume"), py::arg("snapshot"), py::arg("project") = py::none(),
        "Deletes a snapshot of a custom volume.");
    cls.def(
        "storage_volume_snapshot_restore",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& snapshot,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_snapshot_restore(mgr.get(), c_str_or_null(project), pool.c_str(), volume.c_str(),
                                                          snapshot.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("volume"), py::arg("snapshot"), py::arg("project") = py::none(),
        "Makes a custom volume's content its snapshot's again (the snapshot stays).");
}

}  // namespace li::python
