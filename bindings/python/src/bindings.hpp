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

/// Runs a C call returning an li_operation (an `_async` call, a lookup) without the GIL and
/// wraps the handle.
template <typename Call>
std::shared_ptr<OperationHandle> operation_call(Call&& call) {
    li_operation* op = nullptr;
    call_nogil([&](li_error** err) { return std::forward<Call>(call)(&op, err); });
    return std::make_shared<OperationHandle>(op);
}

ManagerClass init_manager(py::module_& m);
// The Operation class is registered before the calls that return it, so their signatures
// name it.
void init_operations(py::module_& m, ManagerClass& manager);
void init_images(ManagerClass& manager);
void init_remotes(ManagerClass& manager);
void init_storage(ManagerClass& manager);
void init_storage_volumes(ManagerClass& manager);
void init_profiles(ManagerClass& manager);
void init_networks(ManagerClass& manager);
void init_projects(ManagerClass& manager);
void init_publish(ManagerClass& manager);
void init_image_manage(ManagerClass& manager);
InstanceClass init_instances(py::module_& m, ManagerClass& manager);
void init_exec(InstanceClass& instance);
void init_exec_control(py::module_& m);
void init_instance_config(InstanceClass& instance);
void init_instance_snapshots(InstanceClass& instance);
void init_files(InstanceClass& instance);
void init_backups(ManagerClass& manager, InstanceClass& instance);
void init_console(py::module_& m, InstanceClass& instance);
void init_events(py::module_& m, ManagerClass& manager);

}  // namespace li::python
