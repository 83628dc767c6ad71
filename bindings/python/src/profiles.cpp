// Manager methods over the profiles section of the C ABI. Documents travel as JSON text; the
// Python package parses it.

#include "bindings.hpp"

namespace li::python {

void init_profiles(ManagerClass& cls) {
    cls.def(
        "profile_create",
        [](const ManagerHandle& self, const std::string& post_json, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_profile_create_json(&json, mgr.get(), c_str_or_null(project), post_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("post_json"), py::arg("project") = py::none(),
        "Creates a profile from a ProfilesPost document; returns the profile as JSON.");
    cls.def(
        "profile_get",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            char* etag = nullptr;
            call_nogil([&](li_error** err) {
                return li_profile_get_json(&json, &etag, mgr.get(), c_str_or_null(project), name.c_str(), err);
            });
            std::string doc = take_string(json);
            return py::make_tuple(doc, take_string(etag));
        },
        py::arg("name"), py::arg("project") = py::none(), "One profile as (JSON, ETag).");
    cls.def(
        "profile_list",
        [](const ManagerHandle& self, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_profile_list_json(&json, mgr.get(), c_str_or_null(project), err); });
            return take_string(json);
        },
        py::arg("project") = py::none(), "The profiles of a project as a JSON array.");
    cls.def(
        "profile_update",
        [](const ManagerHandle& self, const std::string& name, const std::string& put_json, std::optional<std::string> if_match,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_profile_update_json(mgr.get(), c_str_or_null(project), name.c_str(), put_json.c_str(),
                                              c_str_or_null(if_match), err);
            });
        },
        py::arg("name"), py::arg("put_json"), py::arg("if_match") = py::none(), py::arg("project") = py::none(),
        "Replaces a profile's description, config and devices (ProfilePut JSON); Conflict on a stale ETag.");
    cls.def(
        "profile_rename",
        [](const ManagerHandle& self, const std::string& name, const std::string& new_name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_profile_rename(mgr.get(), c_str_or_null(project), name.c_str(), new_name.c_str(), err);
            });
        },
        py::arg("name"), py::arg("new_name"), py::arg("project") = py::none(), "Renames a profile.");
    cls.def(
        "profile_delete",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_profile_delete(mgr.get(), c_str_or_null(project), name.c_str(), err); });
        },
        py::arg("name"), py::arg("project") = py::none(), "Deletes a profile (refused while in use, and for default).");
}

}  // namespace li::python
