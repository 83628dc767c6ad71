// Manager methods over the image-management part of the C ABI: full imports (split, verified,
// with properties), updates, export, aliases, expiry and the manager's settings.

#include "bindings.hpp"

namespace li::python {

void init_image_manage(ManagerClass& cls) {
    cls.def(
        "image_import_full_async",
        [](const ManagerHandle& self, const std::string& path, std::optional<std::string> alias,
           std::optional<std::string> rootfs_path, std::optional<std::string> expected_fingerprint,
           std::optional<std::string> properties_json, bool public_, bool auto_update, bool cached,
           unsigned long long max_unpack_ratio, unsigned long long max_unpack_bytes, std::optional<std::string> project) {
            auto mgr = self.get();
            li_image_import_opts opts = LI_IMAGE_IMPORT_OPTS_INIT;
            opts.alias = c_str_or_null(alias);
            opts.rootfs_path = c_str_or_null(rootfs_path);
            opts.expected_fingerprint = c_str_or_null(expected_fingerprint);
            opts.properties_json = c_str_or_null(properties_json);
            opts.public_ = public_ ? 1 : 0;
            opts.auto_update = auto_update ? 1 : 0;
            opts.cached = cached ? 1 : 0;
            opts.max_unpack_ratio = max_unpack_ratio;
            opts.max_unpack_bytes = max_unpack_bytes;
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_import_async(out, mgr.get(), c_str_or_null(project), path.c_str(), &opts, err);
            });
        },
        py::arg("path"), py::arg("alias") = py::none(), py::arg("rootfs_path") = py::none(),
        py::arg("expected_fingerprint") = py::none(), py::arg("properties_json") = py::none(),
        py::arg("public") = false, py::arg("auto_update") = false, py::arg("cached") = false,
        py::arg("max_unpack_ratio") = 0ULL, py::arg("max_unpack_bytes") = 0ULL, py::arg("project") = py::none(),
        "Imports a unified or split image as an operation (metadata 'fingerprint').");

    cls.def(
        "image_update",
        [](const ManagerHandle& self, const std::string& ref, const std::string& put_json, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_update_json(&json, mgr.get(), c_str_or_null(project), ref.c_str(), put_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("ref"), py::arg("put_json"), py::arg("project") = py::none(),
        "Replaces properties/public/auto_update/expires_at from an ImagePut JSON; returns the image JSON.");

    cls.def(
        "image_export",
        [](const ManagerHandle& self, const std::string& ref, std::optional<std::string> target, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_export(&json, mgr.get(), c_str_or_null(project), ref.c_str(), c_str_or_null(target), err);
            });
            return take_string(json);
        },
        py::arg("ref"), py::arg("target") = py::none(), py::arg("project") = py::none(),
        "Writes the image's files as lxc image export does; returns {metadata_path, rootfs_path} JSON.");

    cls.def(
        "image_export_async",
        [](const ManagerHandle& self, const std::string& ref, std::optional<std::string> target, std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_export_async(out, mgr.get(), c_str_or_null(project), ref.c_str(), c_str_or_null(target), err);
            });
        },
        py::arg("ref"), py::arg("target") = py::none(), py::arg("project") = py::none(),
        "image_export as an operation (metadata metadata_path, rootfs_path).");

    cls.def(
        "image_alias_rename",
        [](const ManagerHandle& self, const std::string& alias, const std::string& new_name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_image_alias_rename(mgr.get(), c_str_or_null(project), alias.c_str(), new_name.c_str(), err);
            });
        },
        py::arg("alias"), py::arg("new_name"), py::arg("project") = py::none(), "Renames an alias.");

    cls.def(
        "image_alias_update",
        [](const ManagerHandle& self, const std::string& alias, const std::string& image_ref, const std::string& description,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_image_alias_update(mgr.get(), c_str_or_null(project), alias.c_str(), image_ref.c_str(),
                                             description.c_str(), err);
            });
        },
        py::arg("alias"), py::arg("image_ref"), py::arg("description") = "", py::arg("project") = py::none(),
        "Points an alias at an image and sets its description.");

    cls.def(
        "image_alias_list",
        [](const ManagerHandle& self, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_image_alias_list_json(&json, mgr.get(), c_str_or_null(project), err); });
            return take_string(json);
        },
        py::arg("project") = py::none(), "Every alias as a JSON array of ImageAliasesEntry.");

    cls.def(
        "image_alias_get",
        [](const ManagerHandle& self, const std::string& alias, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_alias_get_json(&json, mgr.get(), c_str_or_null(project), alias.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("alias"), py::arg("project") = py::none(), "One alias as ImageAliasesEntry JSON.");

    cls.def(
        "images_prune",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_images_prune(&json, mgr.get(), err); });
            return take_string(json);
        },
        "Removes expired cached images; returns their fingerprints as a JSON array.");

    cls.def(
        "config_json",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_manager_config_json(&json, mgr.get(), err); });
            return take_string(json);
        },
        "The settings that are set, as a JSON object.");

    cls.def(
        "set_exec_agent_policy",
        [](const ManagerHandle& self, const std::string& policy) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_manager_set_exec_agent_policy(mgr.get(), policy.c_str(), err); });
        },
        py::arg("policy"), "How execs reach running containers: off, on-demand or at-start.");

    cls.def("exec_agent_policy", [](const ManagerHandle& self) {
        auto mgr = self.get();
        char* value = nullptr;
        call_nogil([&](li_error** err) { return li_manager_get_exec_agent_policy(&value, mgr.get(), err); });
        return take_string(value);
    });

    cls.def(
        "config_get",
        [](const ManagerHandle& self, const std::string& key) {
            auto mgr = self.get();
            char* value = nullptr;
            call_nogil([&](li_error** err) { return li_manager_config_get(&value, mgr.get(), key.c_str(), err); });
            return take_string(value);
        },
        py::arg("key"), "One setting, or its default.");

    cls.def(
        "config_set",
        [](const ManagerHandle& self, const std::string& key, const std::string& value) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_manager_config_set(mgr.get(), key.c_str(), value.c_str(), err); });
        },
        py::arg("key"), py::arg("value"), "Sets a setting ('' unsets it).");
}

}  // namespace li::python
