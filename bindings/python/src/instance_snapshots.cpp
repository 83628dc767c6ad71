// The snapshot calls of `Instance`: take, list, show, change expiry, rename, delete and restore.
// Documents travel as JSON text; the pure-Python layer (libinstance/instance_snapshots.py) builds
// and parses them.

#include "bindings.hpp"

namespace li::python {

namespace {

/// Taking, deleting and restoring, with their operation forms.
void add_snapshot_work(InstanceClass& cls) {
    cls.def(
        "snapshot_create",
        [](const InstanceHandle& self, const std::string& post_json) {
            auto inst = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_snapshot_create_json(&json, inst.get(), post_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("post_json"),
        "Takes a snapshot (InstanceSnapshotsPost JSON); returns the snapshot as JSON.");

    cls.def(
        "snapshot_create_async",
        [](const InstanceHandle& self, const std::string& post_json) {
            auto inst = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_snapshot_create_async(out, inst.get(), post_json.c_str(), err);
            });
        },
        py::arg("post_json"), "snapshot_create as an operation (a bad document fails this call itself).");

    cls.def(
        "snapshot_delete",
        [](const InstanceHandle& self, const std::string& snapshot) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_snapshot_delete(inst.get(), snapshot.c_str(), err); });
        },
        py::arg("snapshot"), "Deletes a snapshot.");

    cls.def(
        "snapshot_delete_async",
        [](const InstanceHandle& self, const std::string& snapshot) {
            auto inst = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_snapshot_delete_async(out, inst.get(), snapshot.c_str(), err);
            });
        },
        py::arg("snapshot"), "snapshot_delete as an operation.");

    cls.def(
        "restore",
        [](const InstanceHandle& self, const std::string& snapshot) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_restore(inst.get(), snapshot.c_str(), err); });
        },
        py::arg("snapshot"), "Makes the instance what the snapshot holds again (restarting it if it runs).");

    cls.def(
        "restore_async",
        [](const InstanceHandle& self, const std::string& snapshot) {
            auto inst = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_restore_async(out, inst.get(), snapshot.c_str(), err);
            });
        },
        py::arg("snapshot"), "restore as an operation (cancellable).");
}

}  // namespace

void init_instance_snapshots(InstanceClass& cls) {
    cls.def(
        "snapshot_list",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_instance_snapshot_list_json(&json, inst.get(), err); });
            return take_string(json);
        },
        "The snapshots, oldest first, as a JSON array of InstanceSnapshot documents.");

    cls.def(
        "snapshot_get",
        [](const InstanceHandle& self, const std::string& snapshot) {
            auto inst = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_snapshot_get_json(&json, inst.get(), snapshot.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("snapshot"), "One snapshot as an InstanceSnapshot JSON document.");

    cls.def(
        "snapshot_update",
        [](const InstanceHandle& self, const std::string& snapshot, const std::string& put_json) {
            auto inst = self.get();
            call_nogil([&](li_error** err) {
                return li_instance_snapshot_update_json(inst.get(), snapshot.c_str(), put_json.c_str(), err);
            });
        },
        py::arg("snapshot"), py::arg("put_json"), "Changes a snapshot's expiry (InstanceSnapshotPut JSON).");

    cls.def(
        "snapshot_rename",
        [](const InstanceHandle& self, const std::string& snapshot, const std::string& new_name) {
            auto inst = self.get();
            call_nogil([&](li_error** err) {
                return li_instance_snapshot_rename(inst.get(), snapshot.c_str(), new_name.c_str(), err);
            });
        },
        py::arg("snapshot"), py::arg("new_name"), "Renames a snapshot.");

    add_snapshot_work(cls);
}

}  // namespace li::python
