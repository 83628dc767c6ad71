// The instance section of the C ABI: Manager.instance_* lookups and the `Instance` handle class
// with its lifecycle calls. Whole instances travel as LXD JSON text.

#include "bindings.hpp"

namespace li::python {

namespace {

li_stop_opts stop_opts(bool force, int timeout_seconds) {
    li_stop_opts opts = LI_STOP_OPTS_INIT;
    opts.force = force ? 1 : 0;
    opts.timeout_seconds = timeout_seconds;
    return opts;
}

void add_lookups(ManagerClass& manager) {
    manager.def(
        "instance_create",
        [](const ManagerHandle& self, const std::string& instances_post_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            li_instance* inst = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_create_json(&inst, mgr.get(), c_str_or_null(project),
                                               instances_post_json.c_str(), err);
            });
            return std::make_shared<InstanceHandle>(inst);
        },
        py::arg("instances_post_json"), py::arg("project") = py::none(),
        "Creates an instance from an LXD InstancesPost JSON document.");

    manager.def(
        "instance_create_async",
        [](const ManagerHandle& self, const std::string& instances_post_json,
           std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_create_json_async(out, mgr.get(), c_str_or_null(project),
                                                     instances_post_json.c_str(), err);
            });
        },
        py::arg("instances_post_json"), py::arg("project") = py::none(),
        "instance_create as an operation (a bad document fails this call itself).");

    manager.def(
        "instance_get",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            li_instance* inst = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_get(&inst, mgr.get(), c_str_or_null(project), name.c_str(), err);
            });
            return std::make_shared<InstanceHandle>(inst);
        },
        py::arg("name"), py::arg("project") = py::none(), "Looks an instance up by name.");

    manager.def(
        "instance_list",
        [](const ManagerHandle& self, bool with_state, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            unsigned flags = with_state ? LI_LIST_WITH_STATE : LI_LIST_DEFAULT;
            call_nogil([&](li_error** err) {
                return li_instance_list_json(&json, mgr.get(), c_str_or_null(project), flags, err);
            });
            return take_string(json);
        },
        py::arg("with_state") = false, py::arg("project") = py::none(),
        "All instances as a JSON array of LXD Instance documents.");
}

/// start/stop/restart/delete as operations.
void add_async_lifecycle(InstanceClass& cls) {
    cls.def(
        "start_async",
        [](const InstanceHandle& self, bool stateful) {
            auto inst = self.get();
            li_start_opts opts = LI_START_OPTS_INIT;
            opts.stateful = stateful ? 1 : 0;
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_start_async(out, inst.get(), &opts, err);
            });
        },
        py::arg("stateful") = false, "start as an operation.");

    cls.def(
        "stop_async",
        [](const InstanceHandle& self, bool force, int timeout_seconds) {
            auto inst = self.get();
            li_stop_opts opts = stop_opts(force, timeout_seconds);
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_stop_async(out, inst.get(), &opts, err);
            });
        },
        py::arg("force") = false, py::arg("timeout_seconds") = -1, "stop as an operation.");

    cls.def(
        "restart_async",
        [](const InstanceHandle& self, bool force, int timeout_seconds) {
            auto inst = self.get();
            li_stop_opts opts = stop_opts(force, timeout_seconds);
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_restart_async(out, inst.get(), &opts, err);
            });
        },
        py::arg("force") = false, py::arg("timeout_seconds") = -1, "restart as an operation.");

    cls.def(
        "delete_async",
        [](const InstanceHandle& self, bool force) {
            auto inst = self.get();
            li_delete_opts opts = LI_DELETE_OPTS_INIT;
            opts.force = force ? 1 : 0;
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_delete_async(out, inst.get(), &opts, err);
            });
        },
        py::arg("force") = false, "delete as an operation.");
}

/// Renaming and moving to another storage pool (copies are instance_create with a copy source).
void add_rename_move(InstanceClass& cls) {
    cls.def(
        "rename",
        [](InstanceHandle& self, const std::string& new_name) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_rename(inst.get(), new_name.c_str(), err); });
            self.refresh_name();
        },
        py::arg("new_name"), "Renames the stopped instance; the handle follows it.");

    cls.def(
        "move_pool",
        [](const InstanceHandle& self, const std::string& pool) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_move_pool(inst.get(), pool.c_str(), err); });
        },
        py::arg("pool"), "Moves the stopped instance's root volume to another storage pool.");

    cls.def(
        "move_pool_async",
        [](const InstanceHandle& self, const std::string& pool) {
            auto inst = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_move_pool_async(out, inst.get(), pool.c_str(), err);
            });
        },
        py::arg("pool"), "move_pool as an operation (cancellable).");
}

}  // namespace

InstanceClass init_instances(py::module_& m, ManagerClass& manager) {
    add_lookups(manager);

    InstanceClass cls(m, "Instance", "A handle on one instance (li_instance).");
    cls.def_property_readonly("name", &InstanceHandle::name);
    cls.def_property_readonly("project", &InstanceHandle::project);
    cls.def_property_readonly("closed", &InstanceHandle::closed);
    cls.def(
        "close",
        [](InstanceHandle& self) {
            py::gil_scoped_release nogil;  // the last handle closes the state directory
            self.close();
        },
        "Frees the handle.");

    cls.def(
        "get_json",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_instance_get_json(&json, inst.get(), err); });
            return take_string(json);
        },
        "The instance as an LXD Instance JSON document.");

    cls.def(
        "state_json",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_instance_state_json(&json, inst.get(), err); });
            return take_string(json);
        },
        "The LXD InstanceState JSON document.");

    cls.def(
        "status_code",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            int code = 0;
            call_nogil([&](li_error** err) { return li_instance_status_code(&code, inst.get(), err); });
            return code;
        },
        "The LXD status code: 103 Running, 102 Stopped, 110 Frozen, 112 Error.");

    cls.def(
        "start",
        [](const InstanceHandle& self, bool stateful) {
            auto inst = self.get();
            li_start_opts opts = LI_START_OPTS_INIT;
            opts.stateful = stateful ? 1 : 0;
            call_nogil([&](li_error** err) { return li_instance_start(inst.get(), &opts, err); });
        },
        py::arg("stateful") = false, "Starts the instance.");

    cls.def(
        "stop",
        [](const InstanceHandle& self, bool force, int timeout_seconds) {
            auto inst = self.get();
            li_stop_opts opts = stop_opts(force, timeout_seconds);
            call_nogil([&](li_error** err) { return li_instance_stop(inst.get(), &opts, err); });
        },
        py::arg("force") = false, py::arg("timeout_seconds") = -1,
        "Stops the instance (negative timeout: the library default).");

    cls.def(
        "restart",
        [](const InstanceHandle& self, bool force, int timeout_seconds) {
            auto inst = self.get();
            li_stop_opts opts = stop_opts(force, timeout_seconds);
            call_nogil([&](li_error** err) { return li_instance_restart(inst.get(), &opts, err); });
        },
        py::arg("force") = false, py::arg("timeout_seconds") = -1, "Stops and starts the instance.");

    cls.def(
        "delete",
        [](const InstanceHandle& self, bool force) {
            auto inst = self.get();
            li_delete_opts opts = LI_DELETE_OPTS_INIT;
            opts.force = force ? 1 : 0;
            call_nogil([&](li_error** err) { return li_instance_delete(inst.get(), &opts, err); });
        },
        py::arg("force") = false, "Deletes the instance and its storage.");

    add_async_lifecycle(cls);
    add_rename_move(cls);
    return cls;
}

}  // namespace li::python
