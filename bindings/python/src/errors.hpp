#pragma once
// Turning li_error into Python exceptions. The exception classes live in the pure-Python package
// (libinstance.errors); the package hands this module a factory at import time.

#include <string>

#include <pybind11/pybind11.h>

#include "libinstance.h"

namespace li::python {

namespace py = pybind11;

/// A failed C call, carried out of the GIL-released region and raised as a Python exception.
struct Failure {
    int code;
    std::string message;
    std::string key;
    int err_no;
};

/// Takes ownership of @p err (may be NULL) and throws the matching Failure.
[[noreturn]] void throw_failure(int rc, li_error* err);

/// Throws unless @p rc is 0. Call with the GIL held.
inline void check(int rc, li_error* err) {
    if (rc != 0) {
        throw_failure(rc, err);
    }
}

/// Registers the exception translator and `_set_error_factory` on @p m.
void init_errors(py::module_& m);

}  // namespace li::python
