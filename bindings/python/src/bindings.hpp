#pragma once
// Declarations shared by the files of the `_libinstance` module, one file per area of the C ABI.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "calls.hpp"
#include "errors.hpp"
#include "handles.hpp"
#include "libinstance.h"

namespace li::python {

using ManagerClass = py::class_<ManagerHandle, std::shared_ptr<ManagerHandle>>;
using InstanceClass = py::class_<InstanceHandle, std::shared_ptr<InstanceHandle>>;

ManagerClass init_manager(py::module_& m);
void init_images(ManagerClass& manager);
InstanceClass init_instances(py::module_& m, ManagerClass& manager);
void init_exec(InstanceClass& instance);

}  // namespace li::python
