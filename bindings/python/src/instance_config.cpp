// The configuration calls of `Instance`: LXD's PUT with ETag, key-level config and devices.
// Documents travel as JSON text; the pure-Python layer (libinstance/instances.py) builds them.

#include "bindings.hpp"

namespace li::python {

void init_instance_config(InstanceClass& cls) {
    cls.def(
        "update_json",
        [](const InstanceHandle& self, const std::string& put_json, std::optional<std::string> if_match) {
            auto inst = self.get();
            call_nogil([&](li_error** err) {
                return li_instance_update_json(inst.get(), put_json.c_str(), c_str_or_null(if_match), err);
            });
        },
        py::arg("put_json"), py::arg("if_match") = py::none(),
        "Replaces the writable configuration with an LXD InstancePut JSON document; with if_match, "
        "Conflict unless it equals etag().");

    cls.def(
        "update_json_async",
        [](const InstanceHandle& self, const std::string& put_json, std::optional<std::string> if_match) {
            auto inst = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_instance_update_json_async(out, inst.get(), put_json.c_str(), c_str_or_null(if_match), err);
            });
        },
        py::arg("put_json"), py::arg("if_match") = py::none(), "update_json as an operation.");

    cls.def(
        "etag",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            char* out = nullptr;
            call_nogil([&](li_error** err) { return li_instance_etag(&out, inst.get(), err); });
            return take_string(out);
        },
        "The ETag of the writable configuration.");

    cls.def(
        "config_get",
        [](const InstanceHandle& self, const std::string& key) -> std::optional<std::string> {
            auto inst = self.get();
            char* out = nullptr;
            call_nogil([&](li_error** err) { return li_instance_config_get(&out, inst.get(), key.c_str(), err); });
            if (out == nullptr) return std::nullopt;  // unset, as opposed to set to ""
            return take_string(out);
        },
        py::arg("key"), "A key of the instance's own config; None when unset.");

    cls.def(
        "config_set",
        [](const InstanceHandle& self, const std::string& key, const std::string& value) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_config_set(inst.get(), key.c_str(), value.c_str(), err); });
        },
        py::arg("key"), py::arg("value"), "Sets one key (\"\" unsets it).");

    cls.def(
        "config_set_json",
        [](const InstanceHandle& self, const std::string& config_json) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_config_set_json(inst.get(), config_json.c_str(), err); });
        },
        py::arg("config_json"), "Sets several keys from a JSON object of strings (\"\" unsets).");

    cls.def(
        "config_unset",
        [](const InstanceHandle& self, const std::string& key) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_config_unset(inst.get(), key.c_str(), err); });
        },
        py::arg("key"), "Unsets a key; NotFound when it is not set.");

    cls.def(
        "device_add_json",
        [](const InstanceHandle& self, const std::string& name, const std::string& device_json) {
            auto inst = self.get();
            call_nogil([&](li_error** err) {
                return li_instance_device_add_json(inst.get(), name.c_str(), device_json.c_str(), err);
            });
        },
        py::arg("name"), py::arg("device_json"), "Adds a device; AlreadyExists when the name is taken.");

    cls.def(
        "device_set_json",
        [](const InstanceHandle& self, const std::string& name, const std::string& device_json) {
            auto inst = self.get();
            call_nogil([&](li_error** err) {
                return li_instance_device_set_json(inst.get(), name.c_str(), device_json.c_str(), err);
            });
        },
        py::arg("name"), py::arg("device_json"), "Adds or replaces a device.");

    cls.def(
        "device_remove",
        [](const InstanceHandle& self, const std::string& name) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_device_remove(inst.get(), name.c_str(), err); });
        },
        py::arg("name"), "Removes one of the instance's own devices; NotFound otherwise.");
}

}  // namespace li::python
