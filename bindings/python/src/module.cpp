// The `_libinstance` extension: a thin pybind11 layer over the C ABI (libinstance.h). The
// pylxd-like API lives in the pure-Python `libinstance` package on top of it.

#include "bindings.hpp"

PYBIND11_MODULE(_libinstance, m) {
    namespace lp = li::python;
    namespace py = pybind11;
    m.doc() = "Low-level bindings of the libinstance C ABI; use the `libinstance` package.";

    m.def("version", [] { return std::string(li_version()); }, "The C library's version.");
    m.def("status_name", [](int code) { return std::string(li_status_name(code)); },
          py::arg("code"), "The stable name of an li_status code, e.g. 'NotFound'.");

    // li_status values, so Python maps codes without repeating the numbers.
    py::dict status;
    status["OK"] = static_cast<int>(LI_OK);
    status["NOT_FOUND"] = static_cast<int>(LI_ERR_NOT_FOUND);
    status["ALREADY_EXISTS"] = static_cast<int>(LI_ERR_ALREADY_EXISTS);
    status["INVALID_ARGUMENT"] = static_cast<int>(LI_ERR_INVALID_ARGUMENT);
    status["NOT_SUPPORTED"] = static_cast<int>(LI_ERR_NOT_SUPPORTED);
    status["BUSY"] = static_cast<int>(LI_ERR_BUSY);
    status["CONFLICT"] = static_cast<int>(LI_ERR_CONFLICT);
    status["PERMISSION_DENIED"] = static_cast<int>(LI_ERR_PERMISSION_DENIED);
    status["TIMEOUT"] = static_cast<int>(LI_ERR_TIMEOUT);
    status["CANCELLED"] = static_cast<int>(LI_ERR_CANCELLED);
    status["SYSTEM"] = static_cast<int>(LI_ERR_SYSTEM);
    status["BACKEND"] = static_cast<int>(LI_ERR_BACKEND);
    status["INTERNAL"] = static_cast<int>(LI_ERR_INTERNAL);
    m.attr("STATUS") = status;

    lp::init_errors(m);
    auto manager = lp::init_manager(m);
    lp::init_operations(m, manager);
    lp::init_images(manager);
    lp::init_remotes(manager);
    lp::init_storage(manager);
    lp::init_storage_volumes(manager);
    lp::init_profiles(manager);
    lp::init_networks(manager);
    lp::init_projects(manager);
    lp::init_publish(manager);
    lp::init_image_manage(manager);
    auto instance = lp::init_instances(m, manager);
    lp::init_exec_control(m);
    lp::init_exec(instance);
    lp::init_instance_config(instance);
    lp::init_instance_snapshots(instance);
    lp::init_files(instance);
    lp::init_backups(manager, instance);
    lp::init_console(m, instance);
    lp::init_events(m, manager);
}
