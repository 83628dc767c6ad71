// Instance.console (li_instance_console -> a Console with the terminal's fd), the console log and
// the instance's log files.

#include "bindings.hpp"

namespace li::python {

namespace {

/// One attached console (li_console). detach() frees it; so does the last reference.
class ConsoleHandle {
public:
    explicit ConsoleHandle(li_console* console) : console_(console, &li_console_free) {}

    int fd() const { return console_ ? li_console_fd(console_.get()) : -1; }
    bool attached() const { return static_cast<bool>(console_); }
    void resize(uint32_t width, uint32_t height) {
        if (!console_) throw py::value_error("the console is detached");
        auto c = console_;
        call_nogil([&](li_error** err) { return li_console_resize(c.get(), width, height, err); });
    }
    void detach() { console_.reset(); }

private:
    std::shared_ptr<li_console> console_;
};

py::bytes take_bytes(char* data, size_t len) {
    std::unique_ptr<char, decltype(&li_free)> owned(data, &li_free);
    return data ? py::bytes(data, len) : py::bytes();
}

}  // namespace

void init_console(py::module_& m, InstanceClass& cls) {
    py::class_<ConsoleHandle, std::shared_ptr<ConsoleHandle>>(m, "Console",
                                                               "An attached console (li_console).")
        .def("fileno", &ConsoleHandle::fd, "The terminal's master side (-1 once detached).")
        .def_property_readonly("attached", &ConsoleHandle::attached)
        .def("resize", &ConsoleHandle::resize, py::arg("width"), py::arg("height"),
             "Sets the console terminal's size.")
        .def("detach", &ConsoleHandle::detach, "Releases the console (closes the fd).");

    cls.def(
        "console",
        [](const InstanceHandle& self, uint32_t width, uint32_t height) {
            auto inst = self.get();
            li_console_opts opts = LI_CONSOLE_OPTS_INIT;
            opts.width = width;
            opts.height = height;
            li_console* console = nullptr;
            call_nogil([&](li_error** err) { return li_instance_console(&console, inst.get(), &opts, err); });
            return std::make_shared<ConsoleHandle>(console);
        },
        py::arg("width") = 0, py::arg("height") = 0, "Attaches to the running instance's console.");
    cls.def(
        "console_log",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            char* data = nullptr;
            size_t len = 0;
            call_nogil([&](li_error** err) { return li_instance_console_log(&data, &len, inst.get(), err); });
            return take_bytes(data, len);
        },
        "The console output logged so far.");
    cls.def(
        "console_log_clear",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            call_nogil([&](li_error** err) { return li_instance_console_log_clear(inst.get(), err); });
        },
        "Empties the console log.");
    cls.def(
        "log_files_json",
        [](const InstanceHandle& self) {
            auto inst = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_instance_log_files_json(&json, inst.get(), err); });
            return take_string(json);
        },
        "The names of the instance's log files (a JSON array).");
    cls.def(
        "log_file",
        [](const InstanceHandle& self, const std::string& name) {
            auto inst = self.get();
            char* data = nullptr;
            size_t len = 0;
            call_nogil([&](li_error** err) { return li_instance_log_file(&data, &len, inst.get(), name.c_str(), err); });
            return take_bytes(data, len);
        },
        py::arg("name"), "One log file's content, e.g. 'lxc.log'.");
}

}  // namespace li::python
