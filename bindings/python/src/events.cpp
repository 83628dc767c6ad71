// The events and logging section of the C ABI: Manager.subscribe (li_manager_subscribe) and the
// `Subscription` class, Manager.set_log.
//
// A subscription delivers in one of two ways:
//  - queue: the library's delivery thread hands each event to a one-slot queue that Python reads
//    with next(); that thread never touches Python, and while the slot is full it waits, so the
//    library's own bounded queue fills and counts what it drops.
//  - callback: the delivery thread takes the GIL only to call the Python callable, and never
//    runs Python once the subscription is closed or the interpreter is finalizing.
// No call into the library that can wait for the delivery thread (li_subscription_free) is ever
// made with the GIL held, so a callback waiting for the GIL cannot deadlock a close().

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "bindings.hpp"

namespace li::python {

namespace {

using Clock = std::chrono::steady_clock;

// next() waits in slices so Ctrl-C is seen while it waits without the GIL.
constexpr std::chrono::milliseconds kNextSlice{100};

bool python_alive() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsInitialized() != 0 && Py_IsFinalizing() == 0;
#else
    return Py_IsInitialized() != 0 && _Py_IsFinalizing() == 0;
#endif
}

/// What the library's delivery thread and the Python `Subscription` object share. The library
/// owns one reference (as the payload) until it calls free_payload.
class SinkState {
public:
    explicit SinkState(PyObject* callback) : callback_(callback) {}

    bool has_callback() const { return has_callback_; }

    /// Delivery thread, queue mode: waits for the slot, unless closed meanwhile.
    void push(const char* event_json) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return closed_ || items_.empty(); });
        if (closed_) {
            return;
        }
        items_.emplace_back(event_json);
        cv_.notify_all();
    }

    /// Python thread, queue mode (GIL released): the next event, nullopt at the deadline or once
    /// closed (see closed_and_empty()).
    std::optional<std::string> pop_until(Clock::time_point deadline) {
        std::unique_lock lock(mu_);
        cv_.wait_until(lock, deadline, [&] { return closed_ || !items_.empty(); });
        if (closed_ || items_.empty()) {
            return std::nullopt;
        }
        std::string item = std::move(items_.front());
        items_.pop_front();
        cv_.notify_all();
        return item;
    }

    bool closed() const {
        std::lock_guard lock(mu_);
        return closed_;
    }

    /// No event is handed to Python after this; a delivery thread waiting for the slot returns.
    void close() {
        std::lock_guard lock(mu_);
        closed_ = true;
        items_.clear();
        cv_.notify_all();
    }

    /// Delivery thread, callback mode.
    void call(const char* event_json) {
        if (closed() || !python_alive()) {
            return;
        }
        py::gil_scoped_acquire gil;
        if (closed()) {  // closed while this thread waited for the GIL
            return;
        }
        try {
            // A new reference for the call: the callable must outlive it whatever the callback
            // does to its own subscription.
            auto fn = py::reinterpret_borrow<py::object>(callback_);
            fn(py::str(event_json));
        } catch (py::error_already_set& e) {
            // Nobody to raise to on this thread: report it as Python reports errors in __del__.
            e.discard_as_unraisable("libinstance event callback");
        } catch (const std::exception& e) {
            PyErr_SetString(PyExc_RuntimeError, e.what());
            PyErr_WriteUnraisable(callback_);
        }
    }

    /// free_payload: drops the reference to the callable (if Python can still take it).
    void release_callback() {
        PyObject* cb = std::exchange(callback_, nullptr);
        if (cb != nullptr && python_alive()) {
            py::gil_scoped_acquire gil;
            Py_DECREF(cb);
        }
    }

private:
    PyObject* callback_;  // strong reference, or NULL in queue mode
    const bool has_callback_ = callback_ != nullptr;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> items_;
    bool closed_ = false;
};

using SinkRef = std::shared_ptr<SinkState>;

void on_event(const char* event_json, void* payload) {
    auto& sink = *static_cast<SinkRef*>(payload);
    if (sink->has_callback()) {
        sink->call(event_json);
    } else {
        sink->push(event_json);
    }
}

void free_sink(void* payload) {
    auto* sink = static_cast<SinkRef*>(payload);
    (*sink)->release_callback();
    delete sink;
}

/// A live li_subscription as Python sees it.
class SubscriptionHandle {
public:
    SubscriptionHandle(li_subscription* sub, SinkRef sink) : sub_(sub), sink_(std::move(sink)) {}
    SubscriptionHandle(const SubscriptionHandle&) = delete;
    SubscriptionHandle& operator=(const SubscriptionHandle&) = delete;

    ~SubscriptionHandle() {
        if (PyGILState_Check() != 0) {
            py::gil_scoped_release nogil;
            close();
        } else {
            close();
        }
    }

    /// Call without the GIL: li_subscription_free waits for a callback in progress (unless this
    /// is that callback), and the callback may be waiting for the GIL.
    void close() {
        li_subscription* sub = nullptr;
        {
            std::lock_guard lock(mu_);
            sub = std::exchange(sub_, nullptr);
            if (sub != nullptr) {
                final_dropped_ = li_subscription_dropped(sub);
            }
        }
        sink_->close();
        li_subscription_free(sub);
    }

    uint64_t dropped() const {
        std::lock_guard lock(mu_);
        return sub_ != nullptr ? li_subscription_dropped(sub_) : final_dropped_;
    }

    bool closed() const { return sink_->closed(); }
    bool has_callback() const { return sink_->has_callback(); }

    /// The next event's JSON, None at the timeout (seconds; None: no timeout); StopIteration
    /// once closed.
    std::optional<std::string> next(std::optional<double> timeout_seconds) {
        if (has_callback()) {
            throw py::type_error("a subscription with a callback has no next(): its events go to the callback");
        }
        std::optional<Clock::time_point> deadline;
        if (timeout_seconds) {
            auto wait = std::chrono::duration<double>(std::max(0.0, *timeout_seconds));
            deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(wait);
        }
        while (true) {
            auto slice_end = Clock::now() + kNextSlice;
            bool last = deadline && *deadline <= slice_end;
            std::optional<std::string> item;
            {
                py::gil_scoped_release nogil;
                item = sink_->pop_until(last ? *deadline : slice_end);
            }
            if (item) {
                return item;
            }
            if (sink_->closed()) {
                throw py::stop_iteration();
            }
            if (last) {
                return std::nullopt;
            }
            if (PyErr_CheckSignals() != 0) {
                throw py::error_already_set();
            }
        }
    }

private:
    mutable std::mutex mu_;
    li_subscription* sub_;
    uint64_t final_dropped_ = 0;
    SinkRef sink_;
};

std::shared_ptr<SubscriptionHandle> subscribe(const ManagerHandle& self, std::optional<py::object> callback,
                                              std::optional<std::string> types,
                                              std::optional<std::string> project, bool all_projects,
                                              std::optional<std::string> log_level, size_t queue_size) {
    auto mgr = self.get();
    PyObject* cb = nullptr;
    if (callback && !callback->is_none()) {
        if (PyCallable_Check(callback->ptr()) == 0) {
            throw py::type_error("callback must be callable");
        }
        cb = callback->ptr();
    }
    li_subscribe_opts opts = LI_SUBSCRIBE_OPTS_INIT;
    opts.types = c_str_or_null(types);
    opts.project = c_str_or_null(project);
    opts.all_projects = all_projects ? 1 : 0;
    opts.log_level = c_str_or_null(log_level);
    opts.queue_size = queue_size;

    // The library owns this reference to the state from now until free_sink.
    Py_XINCREF(cb);
    auto sink = std::make_shared<SinkState>(cb);
    auto* payload = new SinkRef(sink);
    li_subscription* sub = nullptr;
    li_error* err = nullptr;
    int rc = 0;
    {
        py::gil_scoped_release nogil;
        rc = li_manager_subscribe(&sub, mgr.get(), &opts, &on_event, payload, &free_sink, &err);
    }
    if (rc != 0) {
        // A failed subscribe never calls free_payload.
        Py_XDECREF(std::exchange(cb, nullptr));
        delete payload;
        throw_failure(rc, err);
    }
    return std::make_shared<SubscriptionHandle>(sub, std::move(sink));
}

}  // namespace

void init_events(py::module_& m, ManagerClass& manager) {
    py::class_<SubscriptionHandle, std::shared_ptr<SubscriptionHandle>> cls(
        m, "Subscription", "A live event subscription (li_subscription).");
    cls.def_property_readonly("dropped", &SubscriptionHandle::dropped,
                              "Events dropped so far because the queue was full.");
    cls.def_property_readonly("closed", &SubscriptionHandle::closed);
    cls.def_property_readonly("has_callback", &SubscriptionHandle::has_callback);
    cls.def(
        "close",
        [](SubscriptionHandle& self) {
            py::gil_scoped_release nogil;
            self.close();
        },
        "Ends the subscription; from inside its own callback it does not wait for that callback.");
    cls.def("next", &SubscriptionHandle::next, py::arg("timeout") = py::none(),
            "Queue mode: the next event as JSON text, None at the timeout (seconds); "
            "StopIteration once closed.");

    manager.def("subscribe", &subscribe, py::arg("callback") = py::none(), py::arg("types") = py::none(),
                py::arg("project") = py::none(), py::arg("all_projects") = false,
                py::arg("log_level") = py::none(), py::arg("queue_size") = 0,
                "Subscribes to events: with a callback, it is called with each event's JSON on a "
                "library thread; without, read them with next().");

    manager.def(
        "set_log",
        [](const ManagerHandle& self, std::optional<std::string> level, std::optional<std::string> file) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_manager_set_log(mgr.get(), c_str_or_null(level), c_str_or_null(file), err);
            });
        },
        py::arg("level") = py::none(), py::arg("file") = py::none(),
        "Where the library's log records go: level debug|info|warn|error, file None (stderr), "
        "'none' or a path appended to (process-wide).");
}

}  // namespace li::python
