// Python class `Manager`: li_manager_open / state_dir / free.

#include "bindings.hpp"

namespace li::python {

ManagerClass init_manager(py::module_& m) {
    ManagerClass cls(
        m, "Manager", "An open state directory (li_manager); holds its exclusive lock until closed.");

    cls.def(py::init([](std::optional<std::string> state_dir) {
                li_manager* mgr = nullptr;
                call_nogil([&](li_error** err) {
                    return li_manager_open(&mgr, c_str_or_null(state_dir), err);
                });
                return std::make_shared<ManagerHandle>(mgr);
            }),
            py::arg("state_dir") = py::none(),
            "Opens (creating on first use) a state directory; raises Busy when another opener "
            "holds it.");

    cls.def_property_readonly(
        "state_dir",
        [](const ManagerHandle& self) { return std::string(li_manager_state_dir(self.get().get())); },
        "The absolute state directory.");
    cls.def_property_readonly("closed", &ManagerHandle::closed);
    cls.def(
        "close",
        [](ManagerHandle& self) {
            // li_manager_free may wait for the store to close: do it without the GIL.
            py::gil_scoped_release nogil;
            self.close();
        },
        "Releases this reference; the directory closes once no instance handle uses it.");
    cls.def(
        "shutdown_instances",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_manager_shutdown_instances(mgr.get(), err); });
        },
        "Stops every running instance as a host shutdown does (boot.stop.priority order).");
    cls.def(
        "shutdown_instances_async",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_manager_shutdown_instances_async(out, mgr.get(), err);
            });
        },
        "shutdown_instances as an operation.");
    cls.def(
        "run_snapshot_schedule",
        [](const ManagerHandle& self, int64_t now_unix) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_manager_run_snapshot_schedule(&json, mgr.get(), now_unix, err); });
            return take_string(json);
        },
        py::arg("now_unix") = 0,
        "One pass of the snapshot scheduler as of now_unix (0: now); {taken, pruned, failed} as JSON.");
    cls.def(
        "run_image_auto_update",
        [](const ManagerHandle& self, int64_t now_unix) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_manager_run_image_auto_update(&json, mgr.get(), now_unix, err); });
            return take_string(json);
        },
        py::arg("now_unix") = 0,
        "One look of the image auto-update as of now_unix (0: now); {ran, refreshed, failed} as JSON.");
    cls.def(
        "init",
        [](const ManagerHandle& self, std::optional<std::string> options_json) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_manager_init(&json, mgr.get(), c_str_or_null(options_json), err); });
            return take_string(json);
        },
        py::arg("options_json") = py::none(),
        "The first-use set-up (a NATed managed bridge, eth0 on it in the default profile); "
        "{network_created, profile_nic_added, network_name} as JSON.");
    cls.def(
        "recover_validate",
        [](const ManagerHandle& self, std::optional<std::string> options_json) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_manager_recover_validate(&json, mgr.get(), c_str_or_null(options_json), err); });
            return take_string(json);
        },
        py::arg("options_json") = py::none(),
        "Scans the storage pools for what the database lacks; the findings as JSON. Changes nothing.");
    cls.def(
        "recover_import",
        [](const ManagerHandle& self, std::optional<std::string> options_json) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_manager_recover_import(&json, mgr.get(), c_str_or_null(options_json), err); });
            return take_string(json);
        },
        py::arg("options_json") = py::none(),
        "Scans as recover_validate does and recreates the records of what it found; JSON of what it imported.");
    return cls;
}

}  // namespace li::python
