// The operation section of the C ABI: the `Operation` handle class (wait, cancel, JSON) and the
// Manager's operation list and lookup. The `_async` calls that start operations sit next to
// their synchronous twins (images.cpp, instances.cpp).

#include <algorithm>
#include <chrono>
#include <cmath>

#include "bindings.hpp"

namespace li::python {

namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// A wait without the GIL cannot see Ctrl-C, so long waits are cut into slices with a signal
// check in between.
constexpr Millis kWaitSlice{100};

/// The library's timeout message names the slice it last waited; say the caller's timeout.
std::string total_timeout_message(std::string message, int64_t total_ms) {
    auto at = message.rfind(" after ");
    if (at != std::string::npos && message.size() > 3 && message.compare(message.size() - 3, 3, " ms") == 0) {
        message.erase(at);
    }
    return message + " after " + std::to_string(total_ms) + " ms";
}

void wait_operation(const OperationHandle& self, std::optional<double> timeout_seconds) {
    auto op = self.get();
    std::optional<Clock::time_point> deadline;
    int64_t total_ms = -1;
    if (timeout_seconds) {
        if (std::isnan(*timeout_seconds)) {
            throw py::value_error("timeout is NaN");
        }
        double seconds = std::max(0.0, *timeout_seconds);
        total_ms = static_cast<int64_t>(std::ceil(seconds * 1000.0));
        deadline = Clock::now() + Millis(total_ms);
    }
    for (bool sliced = false;; sliced = true) {
        int64_t ms = kWaitSlice.count();
        bool last = false;
        if (deadline) {
            auto left = std::chrono::ceil<Millis>(*deadline - Clock::now()).count();
            if (left <= ms) {
                ms = std::max<int64_t>(0, left);
                last = true;
            }
        }
        li_error* err = nullptr;
        int rc = 0;
        {
            py::gil_scoped_release nogil;
            rc = li_operation_wait(op.get(), ms, &err);
        }
        if (rc != -LI_ERR_TIMEOUT) {
            check(rc, err);
            return;
        }
        if (last) {
            std::unique_ptr<li_error, decltype(&li_error_free)> owned(err, &li_error_free);
            std::string message = err ? li_error_message(err) : "operation " + self.id() + " is still running";
            if (sliced || err == nullptr) {
                message = total_timeout_message(std::move(message), total_ms);
            }
            throw Failure{LI_ERR_TIMEOUT, message, "", 0};
        }
        li_error_free(err);
        if (PyErr_CheckSignals() != 0) {
            throw py::error_already_set();
        }
    }
}

}  // namespace

void init_operations(py::module_& m, ManagerClass& manager) {
    py::class_<OperationHandle, std::shared_ptr<OperationHandle>> cls(
        m, "Operation", "A handle on one operation (li_operation); the work goes on without it.");
    cls.def_property_readonly("id", &OperationHandle::id, "The operation's UUID.");
    cls.def_property_readonly("closed", &OperationHandle::closed);
    cls.def(
        "close", [](OperationHandle& self) { self.close(); }, "Frees the handle.");

    cls.def(
        "get_json",
        [](const OperationHandle& self) {
            auto op = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_operation_get_json(&json, op.get(), err); });
            return take_string(json);
        },
        "The operation as an LXD Operation JSON document.");

    cls.def("wait", &wait_operation, py::arg("timeout") = py::none(),
            "Waits for the end (timeout in seconds, None: for ever). Raises Timeout when still "
            "running at the timeout, else the operation's own failure (Cancelled when cancelled).");

    cls.def(
        "cancel",
        [](const OperationHandle& self) {
            auto op = self.get();
            call_nogil([&](li_error** err) { return li_operation_cancel(op.get(), err); });
        },
        "Asks the operation to stop; NotSupported when it cannot be cancelled.");

    manager.def(
        "operation_list",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_operation_list_json(&json, mgr.get(), err); });
            return take_string(json);
        },
        "Running and recently ended operations as a JSON array.");

    manager.def(
        "operation_get",
        [](const ManagerHandle& self, const std::string& id) {
            auto mgr = self.get();
            return operation_call([&](li_operation** out, li_error** err) {
                return li_operation_get(out, mgr.get(), id.c_str(), err);
            });
        },
        py::arg("id"), "One operation by id; NotFound when unknown or expired.");
}

}  // namespace li::python
