// Manager methods over the remotes section of the C ABI: image servers, their images, copying
// images from them and refreshing. Documents travel as JSON text; the Python package parses it.

#include "bindings.hpp"

namespace li::python {

void init_remotes(ManagerClass& cls) {
    cls.def(
        "remote_add",
        [](const ManagerHandle& self, const std::string& remote_json) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_remote_add(mgr.get(), remote_json.c_str(), err); });
        },
        py::arg("remote_json"), "Adds a remote from its JSON document.");
    cls.def(
        "remote_add_with_token",
        [](const ManagerHandle& self, const std::string& remote_json, const std::string& token) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_remote_add_with_token(mgr.get(), remote_json.c_str(), token.c_str(), err);
            });
        },
        py::arg("remote_json"), py::arg("token"),
        "Adds an lxd remote with a trust token made on the daemon (lxc remote add NAME TOKEN).");
    cls.def(
        "remote_connect",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            li_manager* connected = nullptr;
            call_nogil([&](li_error** err) { return li_remote_connect(&connected, mgr.get(), name.c_str(), err); });
            return std::make_shared<ManagerHandle>(connected);
        },
        py::arg("name"), "A Manager connected to an lxd remote: its calls go to the daemon.");
    cls.def(
        "remote_list",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_remote_list_json(&json, mgr.get(), err); });
            return take_string(json);
        },
        "All remotes as a JSON array.");
    cls.def(
        "remote_get",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_remote_get_json(&json, mgr.get(), name.c_str(), err); });
            return take_string(json);
        },
        py::arg("name"), "One remote as JSON.");
    cls.def(
        "remote_remove",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_remote_remove(mgr.get(), name.c_str(), err); });
        },
        py::arg("name"), "Removes a remote.");
    cls.def(
        "remote_rename",
        [](const ManagerHandle& self, const std::string& name, const std::string& new_name) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_remote_rename(mgr.get(), name.c_str(), new_name.c_str(), err); });
        },
        py::arg("name"), py::arg("new_name"), "Renames a remote.");
    cls.def(
        "remote_image_list",
        [](const ManagerHandle& self, const std::string& remote) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_remote_image_list_json(&json, mgr.get(), remote.c_str(), err); });
            return take_string(json);
        },
        py::arg("remote"), "The images a remote offers, as a JSON array.");
    cls.def(
        "image_copy_from_remote",
        [](const ManagerHandle& self, const std::string& images_post_json, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_copy_from_remote(&json, mgr.get(), c_str_or_null(project), images_post_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("images_post_json"), py::arg("project") = py::none(),
        "Copies an image from an image server; returns the image JSON.");
    cls.def(
        "image_copy_from_remote_async",
        [](const ManagerHandle& self, const std::string& images_post_json, std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_copy_from_remote_async(out, mgr.get(), c_str_or_null(project), images_post_json.c_str(), err);
            });
        },
        py::arg("images_post_json"), py::arg("project") = py::none(),
        "image_copy_from_remote as an operation; metadata 'fingerprint' and 'download_progress'.");
    cls.def(
        "image_refresh",
        [](const ManagerHandle& self, const std::string& ref, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_image_refresh(&json, mgr.get(), c_str_or_null(project), ref.c_str(), err); });
            return take_string(json);
        },
        py::arg("ref"), py::arg("project") = py::none(), "Refreshes an image from its server; returns the current image JSON.");
    cls.def(
        "image_refresh_async",
        [](const ManagerHandle& self, const std::string& ref, std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_refresh_async(out, mgr.get(), c_str_or_null(project), ref.c_str(), err);
            });
        },
        py::arg("ref"), py::arg("project") = py::none(),
        "image_refresh as an operation; metadata 'fingerprint' and 'refreshed'.");
}

}  // namespace li::python
