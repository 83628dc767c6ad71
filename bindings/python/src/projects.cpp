// Manager methods over the projects section of the C ABI. Projects are not inside a project, so
// unlike the other named documents these calls take no `project`. Documents travel as JSON text;
// the Python package parses it.

#include "bindings.hpp"

namespace li::python {

void init_projects(ManagerClass& cls) {
    cls.def(
        "project_create",
        [](const ManagerHandle& self, const std::string& post_json) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_project_create_json(&json, mgr.get(), post_json.c_str(), err); });
            return take_string(json);
        },
        py::arg("post_json"), "Creates a project from a ProjectsPost document; returns the project as JSON.");
    cls.def(
        "project_get",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            char* json = nullptr;
            char* etag = nullptr;
            call_nogil([&](li_error** err) { return li_project_get_json(&json, &etag, mgr.get(), name.c_str(), err); });
            std::string doc = take_string(json);
            return py::make_tuple(doc, take_string(etag));
        },
        py::arg("name"), "One project as (JSON, ETag).");
    cls.def(
        "project_list",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_project_list_json(&json, mgr.get(), err); });
            return take_string(json);
        },
        "Every project as a JSON array.");
    cls.def(
        "project_update",
        [](const ManagerHandle& self, const std::string& name, const std::string& put_json, std::optional<std::string> if_match) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_project_update_json(mgr.get(), name.c_str(), put_json.c_str(), c_str_or_null(if_match), err);
            });
        },
        py::arg("name"), py::arg("put_json"), py::arg("if_match") = py::none(),
        "Replaces a project's description and config (ProjectPut JSON); Conflict on a stale ETag.");
    cls.def(
        "project_rename",
        [](const ManagerHandle& self, const std::string& name, const std::string& new_name) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_project_rename(mgr.get(), name.c_str(), new_name.c_str(), err); });
        },
        py::arg("name"), py::arg("new_name"), "Renames an empty project (never default).");
    cls.def(
        "project_delete",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_project_delete(mgr.get(), name.c_str(), err); });
        },
        py::arg("name"), "Deletes an empty project (never default).");
    cls.def(
        "project_state",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_project_state_json(&json, mgr.get(), name.c_str(), err); });
            return take_string(json);
        },
        py::arg("name"), "A project's ProjectState (use against its limits) as JSON.");
}

}  // namespace li::python
