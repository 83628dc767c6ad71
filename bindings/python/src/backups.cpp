// Backups (`lxc export` / `lxc import`): Instance.backup_export and Manager.instance_import_backup
// / storage_volume_export_backup / storage_volume_import_backup (each with an *_async form), and
// the copies and moves to another manager relayed through one (Instance.copy_to / move_to). Options travel as the C ABI's
// JSON (InstanceBackupsPost fields for export, {"name", "pool"} for import); the Python package
// builds it.

#include "bindings.hpp"

namespace li::python {

namespace {

void add_instance_backups(InstanceClass& cls) {
    cls.def(
        "backup_export",
        [](const InstanceHandle& self, const std::string& target, const std::string& options_json) {
            auto inst = self.get();
            call_nogil([&](li_error** err) {
                return li_instance_export_backup(inst.get(), target.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("target"), py::arg("options_json"), "Writes the instance to a backup file at target.");
    cls.def(
        "backup_export_async",
        [](const InstanceHandle& self, const std::string& target, const std::string& options_json) {
            auto inst = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_export_backup_async(out, inst.get(), target.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("target"), py::arg("options_json"), "backup_export as an operation (cancellable; bad options fail here).");
    cls.def(
        "copy_to",
        [](const InstanceHandle& self, const ManagerHandle& target, const std::string& name, const std::string& options_json) {
            auto inst = self.get();
            auto mgr = target.get();
            li_instance* copy = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_copy_to(&copy, inst.get(), mgr.get(), name.c_str(), options_json.c_str(), err);
            });
            return std::make_shared<InstanceHandle>(copy);
        },
        py::arg("target"), py::arg("name"), py::arg("options_json"),
        "Copies the instance to another manager through a backup; returns the copy's handle (of target).");
    cls.def(
        "move_to",
        [](const InstanceHandle& self, const ManagerHandle& target, const std::string& name, const std::string& options_json) {
            auto inst = self.get();
            auto mgr = target.get();
            call_nogil([&](li_error** err) {
                return li_instance_move_to(inst.get(), mgr.get(), name.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("target"), py::arg("name"), py::arg("options_json"),
        "Moves the instance to another manager: a copy, then the source goes.");
    cls.def(
        "copy_to_async",
        [](const InstanceHandle& self, const ManagerHandle& target, const std::string& name, const std::string& options_json) {
            auto inst = self.get();
            auto mgr = target.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_copy_to_async(out, inst.get(), mgr.get(), name.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("target"), py::arg("name"), py::arg("options_json"),
        "Copies the instance to another manager through a backup, as an operation (progress copy_progress).");
    cls.def(
        "move_to_async",
        [](const InstanceHandle& self, const ManagerHandle& target, const std::string& name, const std::string& options_json) {
            auto inst = self.get();
            auto mgr = target.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_move_to_async(out, inst.get(), mgr.get(), name.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("target"), py::arg("name"), py::arg("options_json"),
        "Moves the instance to another manager (copy, then the source goes), as an operation.");
}

void add_manager_backups(ManagerClass& cls) {
    cls.def(
        "instance_import_backup",
        [](const ManagerHandle& self, const std::string& path, const std::string& options_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            li_instance* inst = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_import_backup(&inst, mgr.get(), c_str_or_null(project), path.c_str(),
                                                 options_json.c_str(), err);
            });
            return std::make_shared<InstanceHandle>(inst);
        },
        py::arg("path"), py::arg("options_json"), py::arg("project") = py::none(),
        "Creates an instance from a backup file; returns its handle.");
    cls.def(
        "instance_import_backup_async",
        [](const ManagerHandle& self, const std::string& path, const std::string& options_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_import_backup_async(out, mgr.get(), c_str_or_null(project), path.c_str(),
                                                       options_json.c_str(), err);
            });
        },
        py::arg("path"), py::arg("options_json"), py::arg("project") = py::none(),
        "instance_import_backup as an operation (metadata \"name\" once it succeeds).");
    cls.def(
        "storage_volume_export_backup",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& target,
           const std::string& options_json, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_volume_export_backup(mgr.get(), c_str_or_null(project), pool.c_str(), volume.c_str(),
                                                       target.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("volume"), py::arg("target"), py::arg("options_json"), py::arg("project") = py::none(),
        "Writes a custom volume to a backup file at target.");
    cls.def(
        "storage_volume_export_backup_async",
        [](const ManagerHandle& self, const std::string& pool, const std::string& volume, const std::string& target,
           const std::string& options_json, std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_storage_volume_export_backup_async(out, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                             volume.c_str(), target.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("volume"), py::arg("target"), py::arg("options_json"), py::arg("project") = py::none(),
        "storage_volume_export_backup as an operation (cancellable; bad options fail here).");
    cls.def(
        "storage_volume_import_backup",
        [](const ManagerHandle& self, const std::string& pool, const std::string& path, const std::string& options_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_storage_volume_import_backup(&json, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                       path.c_str(), options_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("pool"), py::arg("path"), py::arg("options_json"), py::arg("project") = py::none(),
        "Creates a custom volume on pool from a backup file; returns the volume as JSON.");
    cls.def(
        "storage_volume_import_backup_async",
        [](const ManagerHandle& self, const std::string& pool, const std::string& path, const std::string& options_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_storage_volume_import_backup_async(out, mgr.get(), c_str_or_null(project), pool.c_str(),
                                                             path.c_str(), options_json.c_str(), err);
            });
        },
        py::arg("pool"), py::arg("path"), py::arg("options_json"), py::arg("project") = py::none(),
        "storage_volume_import_backup as an operation (metadata \"name\" once it succeeds).");
}

}  // namespace

void init_backups(ManagerClass& manager, InstanceClass& instance) {
    add_instance_backups(instance);
    add_manager_backups(manager);
}

}  // namespace li::python
