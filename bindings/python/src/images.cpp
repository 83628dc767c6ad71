// Manager methods over the image section of the C ABI. Images travel as LXD `Image` JSON text;
// the Python package parses it.

#include "bindings.hpp"

namespace li::python {

void init_images(ManagerClass& cls) {
    cls.def(
        "image_build",
        [](const ManagerHandle& self, const std::string& builder, std::optional<std::string> alias,
           std::optional<std::string> output_path, std::optional<std::string> project) {
            auto mgr = self.get();
            li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
            opts.alias = c_str_or_null(alias);
            opts.output_path = c_str_or_null(output_path);
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_build(&json, mgr.get(), c_str_or_null(project), builder.c_str(),
                                      &opts, err);
            });
            return take_string(json);
        },
        py::arg("builder"), py::arg("alias") = py::none(), py::arg("output_path") = py::none(),
        py::arg("project") = py::none(), "Builds an image with a local builder; returns its JSON.");

    cls.def(
        "image_import",
        [](const ManagerHandle& self, const std::string& path, std::optional<std::string> alias,
           std::optional<std::string> project) {
            auto mgr = self.get();
            li_image_import_opts opts = LI_IMAGE_IMPORT_OPTS_INIT;
            opts.alias = c_str_or_null(alias);
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_import(&json, mgr.get(), c_str_or_null(project), path.c_str(),
                                       &opts, err);
            });
            return take_string(json);
        },
        py::arg("path"), py::arg("alias") = py::none(), py::arg("project") = py::none(),
        "Imports an LXD unified image tarball; returns the image JSON.");

    cls.def(
        "image_build_async",
        [](const ManagerHandle& self, const std::string& builder, std::optional<std::string> alias,
           std::optional<std::string> output_path, std::optional<std::string> project) {
            auto mgr = self.get();
            li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
            opts.alias = c_str_or_null(alias);
            opts.output_path = c_str_or_null(output_path);
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_build_async(out, mgr.get(), c_str_or_null(project), builder.c_str(),
                                            &opts, err);
            });
        },
        py::arg("builder"), py::arg("alias") = py::none(), py::arg("output_path") = py::none(),
        py::arg("project") = py::none(),
        "image_build as an operation; its metadata has 'fingerprint' on success.");

    cls.def(
        "image_import_async",
        [](const ManagerHandle& self, const std::string& path, std::optional<std::string> alias,
           std::optional<std::string> project) {
            auto mgr = self.get();
            li_image_import_opts opts = LI_IMAGE_IMPORT_OPTS_INIT;
            opts.alias = c_str_or_null(alias);
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_import_async(out, mgr.get(), c_str_or_null(project), path.c_str(),
                                             &opts, err);
            });
        },
        py::arg("path"), py::arg("alias") = py::none(), py::arg("project") = py::none(),
        "image_import as an operation; its metadata has 'fingerprint' on success.");

    cls.def(
        "image_list",
        [](const ManagerHandle& self, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_list_json(&json, mgr.get(), c_str_or_null(project), err);
            });
            return take_string(json);
        },
        py::arg("project") = py::none(), "All images as a JSON array.");

    cls.def(
        "image_get",
        [](const ManagerHandle& self, const std::string& ref, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_get_json(&json, mgr.get(), c_str_or_null(project), ref.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("ref"), py::arg("project") = py::none(),
        "One image by alias, fingerprint or unique fingerprint prefix, as JSON.");

    cls.def(
        "image_delete",
        [](const ManagerHandle& self, const std::string& ref, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_image_delete(mgr.get(), c_str_or_null(project), ref.c_str(), err);
            });
        },
        py::arg("ref"), py::arg("project") = py::none(), "Deletes an image and its aliases.");

    cls.def(
        "image_alias_create",
        [](const ManagerHandle& self, const std::string& alias, const std::string& image_ref,
           const std::string& description, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_image_alias_create(mgr.get(), c_str_or_null(project), alias.c_str(),
                                             image_ref.c_str(), description.c_str(), err);
            });
        },
        py::arg("alias"), py::arg("image_ref"), py::arg("description") = "",
        py::arg("project") = py::none(), "Points a new alias at an image.");

    cls.def(
        "image_alias_delete",
        [](const ManagerHandle& self, const std::string& alias, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_image_alias_delete(mgr.get(), c_str_or_null(project), alias.c_str(), err);
            });
        },
        py::arg("alias"), py::arg("project") = py::none(), "Removes an alias; the image stays.");
}

}  // namespace li::python
