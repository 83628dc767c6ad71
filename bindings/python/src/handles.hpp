#pragma once
// Owning wrappers of the C handles as Python sees them. A wrapper holds a shared_ptr that every
// call copies while it holds the GIL, so close() from one thread never frees a handle another
// thread is using with the GIL released: the last user frees it.

#include <memory>
#include <optional>
#include <string>

#include <pybind11/pybind11.h>

#include "libinstance.h"

namespace li::python {

namespace py = pybind11;

/// One open state directory (li_manager).
class ManagerHandle {
public:
    explicit ManagerHandle(li_manager* mgr) : mgr_(mgr, &li_manager_free) {}

    /// The live handle; raises ValueError once closed.
    std::shared_ptr<li_manager> get() const {
        if (!mgr_) {
            throw py::value_error("the libinstance client is closed");
        }
        return mgr_;
    }
    bool closed() const { return !mgr_; }
    void close() { mgr_.reset(); }

private:
    std::shared_ptr<li_manager> mgr_;
};

/// One instance (li_instance); keeps its state directory open in the C library until closed.
class InstanceHandle {
public:
    explicit InstanceHandle(li_instance* inst)
        : inst_(inst, &li_instance_free),
          name_(li_instance_name(inst)),
          project_(li_instance_project(inst)) {}

    std::shared_ptr<li_instance> get() const {
        if (!inst_) {
            throw py::value_error("the instance handle of '" + name_ + "' is closed");
        }
        return inst_;
    }
    // Name and project are copied at creation so they stay readable after close().
    const std::string& name() const { return name_; }
    const std::string& project() const { return project_; }
    bool closed() const { return !inst_; }
    void close() { inst_.reset(); }
    // After li_instance_rename the C handle follows the instance; the copy here must too.
    void refresh_name() { name_ = li_instance_name(get().get()); }

private:
    std::shared_ptr<li_instance> inst_;
    std::string name_;
    std::string project_;
};

/// One operation (li_operation). Closing the handle never stops the operation itself.
class OperationHandle {
public:
    explicit OperationHandle(li_operation* op) : op_(op, &li_operation_free), id_(li_operation_id(op)) {}

    std::shared_ptr<li_operation> get() const {
        if (!op_) {
            throw py::value_error("the handle of operation '" + id_ + "' is closed");
        }
        return op_;
    }
    const std::string& id() const { return id_; }
    bool closed() const { return !op_; }
    void close() { op_.reset(); }

private:
    std::shared_ptr<li_operation> op_;
    std::string id_;
};

/// Optional string argument -> C string (NULL when absent).
inline const char* c_str_or_null(const std::optional<std::string>& s) {
    return s ? s->c_str() : nullptr;
}

}  // namespace li::python
