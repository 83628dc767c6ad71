// Manager methods for the debian builder's options and for publishing instances as images.

#include "bindings.hpp"

namespace li::python {

namespace {

// The build options with every string owned by the caller's arguments for the call's duration.
struct BuildArgs {
    std::optional<std::string> alias, output_path, release, variant, mirror, init, cache_dir;
    std::vector<std::string> packages;
    std::vector<const char*> package_ptrs;

    li_image_build_opts opts() {
        li_image_build_opts o = LI_IMAGE_BUILD_OPTS_INIT;
        o.alias = c_str_or_null(alias);
        o.output_path = c_str_or_null(output_path);
        o.release = c_str_or_null(release);
        o.variant = c_str_or_null(variant);
        o.mirror = c_str_or_null(mirror);
        o.init = c_str_or_null(init);
        o.cache_dir = c_str_or_null(cache_dir);
        package_ptrs.clear();
        for (const auto& p : packages) package_ptrs.push_back(p.c_str());
        package_ptrs.push_back(nullptr);
        o.packages = packages.empty() ? nullptr : package_ptrs.data();
        return o;
    }
};

}  // namespace

void init_publish(ManagerClass& cls) {
    py::class_<BuildArgs>(cls, "BuildArgs")
        .def(py::init<>())
        .def_readwrite("alias", &BuildArgs::alias)
        .def_readwrite("output_path", &BuildArgs::output_path)
        .def_readwrite("release", &BuildArgs::release)
        .def_readwrite("variant", &BuildArgs::variant)
        .def_readwrite("mirror", &BuildArgs::mirror)
        .def_readwrite("packages", &BuildArgs::packages)
        .def_readwrite("init", &BuildArgs::init)
        .def_readwrite("cache_dir", &BuildArgs::cache_dir);

    cls.def(
        "image_build_full_async",
        [](const ManagerHandle& self, const std::string& builder, BuildArgs args, std::optional<std::string> project) {
            auto mgr = self.get();
            li_image_build_opts opts = args.opts();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_build_async(out, mgr.get(), c_str_or_null(project), builder.c_str(), &opts, err);
            });
        },
        py::arg("builder"), py::arg("args"), py::arg("project") = py::none(),
        "image_build_async with every builder option (a BuildArgs).");

    cls.def(
        "image_publish",
        [](const ManagerHandle& self, const std::string& request_json, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_image_publish(&json, mgr.get(), c_str_or_null(project), request_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("request_json"), py::arg("project") = py::none(),
        "Publishes a stopped instance (LXD ImagesPost JSON); returns the image JSON.");

    cls.def(
        "image_publish_async",
        [](const ManagerHandle& self, const std::string& request_json, std::optional<std::string> project) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_publish_async(out, mgr.get(), c_str_or_null(project), request_json.c_str(), err);
            });
        },
        py::arg("request_json"), py::arg("project") = py::none(),
        "image_publish as an operation; its metadata has 'fingerprint' on success.");
}

}  // namespace li::python
