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
    cls.def(
        "image_build_full_async",
        [](const ManagerHandle& self, const std::string& builder, std::optional<std::string> alias,
           std::optional<std::string> output_path, std::optional<std::string> release, std::optional<std::string> variant,
           std::optional<std::string> mirror, std::vector<std::string> packages, std::optional<std::string> init,
           std::optional<std::string> cache_dir, std::optional<std::string> project) {
            auto mgr = self.get();
            BuildArgs args{alias, output_path, release, variant, mirror, init, cache_dir, std::move(packages), {}};
            li_image_build_opts opts = args.opts();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_image_build_async(out, mgr.get(), c_str_or_null(project), builder.c_str(), &opts, err);
            });
        },
        py::arg("builder"), py::arg("alias") = py::none(), py::arg("output_path") = py::none(),
        py::arg("release") = py::none(), py::arg("variant") = py::none(), py::arg("mirror") = py::none(),
        py::arg("packages") = std::vector<std::string>{}, py::arg("init") = py::none(), py::arg("cache_dir") = py::none(),
        py::arg("project") = py::none(), "image_build_async with every builder option.");

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
