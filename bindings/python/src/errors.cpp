// Error translation: li_error -> Failure (C++) -> the Python exception built by the factory.

#include "errors.hpp"

#include <memory>

namespace li::python {

namespace {

// A strong reference kept for the life of the process: the factory is a module-level function
// of libinstance.errors, and dropping it during interpreter shutdown would race finalization.
PyObject* g_factory = nullptr;

}  // namespace

void throw_failure(int rc, li_error* err) {
    std::unique_ptr<li_error, decltype(&li_error_free)> owned(err, &li_error_free);
    if (err == nullptr) {
        // The caller passed an error slot, so this only happens on a library bug; still report
        // the status the call returned.
        int code = rc < 0 ? -rc : LI_ERR_INTERNAL;
        throw Failure{code, std::string(li_status_name(code)) + " (no details from libinstance)", "", 0};
    }
    const char* key = li_error_key(err);
    throw Failure{li_error_code(err), li_error_message(err), key ? key : "", li_error_errno(err)};
}

void init_errors(py::module_& m) {
    m.def(
        "_set_error_factory",
        [](py::object factory) {
            Py_XDECREF(g_factory);
            g_factory = factory.release().ptr();
        },
        py::arg("factory"),
        "Sets the callable (code, status_name, message, key, errno) -> exception used for failures.");

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);
            }
        } catch (const Failure& f) {
            if (g_factory == nullptr) {
                // Used without the libinstance package: still say what failed.
                PyErr_SetString(PyExc_RuntimeError,
                                (std::string(li_status_name(f.code)) + ": " + f.message).c_str());
                return;
            }
            try {
                py::object exc = py::reinterpret_borrow<py::object>(g_factory)(
                    f.code, li_status_name(f.code), f.message, f.key, f.err_no);
                PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
            } catch (py::error_already_set& e) {
                e.restore();  // the factory itself failed: let that error through
            }
        }
    });
}

}  // namespace li::python
