#pragma once
// Small helpers shared by the binding files: run a C call without the GIL, take ownership of
// the strings it returns.

#include <memory>
#include <string>
#include <utility>

#include <pybind11/pybind11.h>

#include "errors.hpp"
#include "libinstance.h"

namespace li::python {

namespace py = pybind11;

/// Runs @p call (returning an li_status) with the GIL released, then raises on failure.
/// Every argument the call reads must be owned by C++ (not a borrowed Python buffer).
template <typename Call>
void call_nogil(Call&& call) {
    li_error* err = nullptr;
    int rc = 0;
    {
        py::gil_scoped_release nogil;
        rc = std::forward<Call>(call)(&err);
    }
    check(rc, err);
}

/// Takes a `char *` owned by the library and returns it as std::string (freeing it).
inline std::string take_string(char* s) {
    std::unique_ptr<char, decltype(&li_free)> owned(s, &li_free);
    return s ? std::string(s) : std::string();
}

}  // namespace li::python
