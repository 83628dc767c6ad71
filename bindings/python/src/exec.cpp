// Instance.exec over li_instance_exec: runs a command and returns (exit_code, stdout, stderr);
// Instance.exec_terminal over li_instance_exec_terminal: the same on a terminal of the instance,
// returning (exit_code, what the terminal showed); ExecControl over li_exec_control signals the
// command of either from another Python thread (both release the GIL while the command runs).

#include "bindings.hpp"

namespace li::python {

namespace {

/// NULL-terminated `const char *` view of a vector of strings that outlives it.
std::vector<const char*> c_array(const std::vector<std::string>& items) {
    std::vector<const char*> out;
    out.reserve(items.size() + 1);
    for (const auto& s : items) {
        out.push_back(s.c_str());
    }
    out.push_back(nullptr);
    return out;
}

py::bytes result_bytes(const char* data, size_t len) {
    return data ? py::bytes(data, len) : py::bytes();
}

/// What both exec calls hand the C ABI, built from their Python arguments. It holds copies and
/// views that must stay put while the GIL is released and the library reads them: built in
/// place, never copied.
struct ExecInputs {
    ExecInputs(const std::vector<std::string>& argv, const std::optional<std::vector<std::string>>& env,
               const std::optional<std::string>& cwd, const std::optional<py::bytes>& stdin_data, int stdin_fd,
               int stdout_fd, uint32_t uid, uint32_t gid, const char* call)
        : stdin_copy(stdin_data ? std::string(*stdin_data) : std::string()), c_argv(c_array(argv)) {
        if (argv.empty()) {
            throw py::value_error(std::string(call) + " needs a command: argv is empty");
        }
        if (env) {
            c_env = c_array(*env);
        }
        opts.env = env ? c_env.data() : nullptr;
        opts.cwd = c_str_or_null(cwd);
        if (stdin_data) {
            opts.stdin_data = stdin_copy.data();
            opts.stdin_len = stdin_copy.size();
        }
        opts.stdin_fd = stdin_fd;
        opts.stdout_fd = stdout_fd;
        opts.uid = uid;
        opts.gid = gid;
    }
    ExecInputs(const ExecInputs&) = delete;
    ExecInputs& operator=(const ExecInputs&) = delete;

    std::string stdin_copy;
    std::vector<const char*> c_argv;
    std::vector<const char*> c_env;
    li_exec_opts opts = LI_EXEC_OPTS_INIT;
};

/// An li_exec_control owned by Python; the exec holds a reference for as long as it runs.
class ExecControlHandle {
public:
    ExecControlHandle() : control_(li_exec_control_new(), &li_exec_control_free) {
        if (!control_) throw std::bad_alloc();
    }
    li_exec_control* get() const { return control_.get(); }
    void signal(int sig) const {
        call_nogil([&](li_error** err) { return li_exec_control_signal(control_.get(), sig, err); });
    }

private:
    std::unique_ptr<li_exec_control, decltype(&li_exec_control_free)> control_;
};
using ControlArg = std::optional<std::shared_ptr<ExecControlHandle>>;

li_exec_control* control_ptr(const ControlArg& control) {
    return control && *control ? (*control)->get() : nullptr;
}

}  // namespace

void init_exec_control(py::module_& m) {
    py::class_<ExecControlHandle, std::shared_ptr<ExecControlHandle>>(
        m, "ExecControl", "Signals the command of a running exec or exec_terminal given control=.")
        .def(py::init<>())
        .def("signal", &ExecControlHandle::signal, py::arg("sig"),
             "Sends signal sig to the command; Conflict before it started or after it ended.");
}

void init_exec(InstanceClass& cls) {
    cls.def(
        "exec",
        [](const InstanceHandle& self, const std::vector<std::string>& argv,
           std::optional<std::vector<std::string>> env, std::optional<std::string> cwd,
           std::optional<py::bytes> stdin_data, int stdin_fd, int stdout_fd, int stderr_fd,
           uint32_t uid, uint32_t gid, ControlArg control) {
            ExecInputs in(argv, env, cwd, stdin_data, stdin_fd, stdout_fd, uid, gid, "exec");
            in.opts.stderr_fd = stderr_fd;
            in.opts.control = control_ptr(control);  // control (held by the argument) outlives the call
            auto inst = self.get();

            li_exec_result* res = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_exec(&res, inst.get(), in.c_argv.data(), &in.opts, err);
            });
            std::unique_ptr<li_exec_result, decltype(&li_exec_result_free)> owned(
                res, &li_exec_result_free);
            size_t out_len = 0;
            size_t err_len = 0;
            const char* out = li_exec_result_stdout(res, &out_len);
            const char* err = li_exec_result_stderr(res, &err_len);
            return py::make_tuple(li_exec_result_exit_code(res), result_bytes(out, out_len),
                                  result_bytes(err, err_len));
        },
        py::arg("argv"), py::arg("env") = py::none(), py::arg("cwd") = py::none(),
        py::arg("stdin_data") = py::none(), py::arg("stdin_fd") = -1, py::arg("stdout_fd") = -1,
        py::arg("stderr_fd") = -1, py::arg("uid") = 0, py::arg("gid") = 0,
        py::arg("control") = py::none(),
        "Runs a command in the running instance and waits; returns (exit_code, stdout, stderr).");

    cls.def(
        "exec_terminal",
        [](const InstanceHandle& self, const std::vector<std::string>& argv,
           std::optional<std::vector<std::string>> env, std::optional<std::string> cwd,
           std::optional<py::bytes> stdin_data, int stdin_fd, int stdout_fd, uint32_t uid,
           uint32_t gid, uint32_t width, uint32_t height, ControlArg control) {
            ExecInputs in(argv, env, cwd, stdin_data, stdin_fd, stdout_fd, uid, gid, "exec_terminal");
            in.opts.control = control_ptr(control);
            auto inst = self.get();
            li_terminal_opts term = LI_TERMINAL_OPTS_INIT;
            term.width = width;
            term.height = height;

            li_exec_result* res = nullptr;
            call_nogil([&](li_error** err) {
                return li_instance_exec_terminal(&res, inst.get(), in.c_argv.data(), &in.opts, &term, err);
            });
            std::unique_ptr<li_exec_result, decltype(&li_exec_result_free)> owned(
                res, &li_exec_result_free);
            size_t out_len = 0;
            const char* out = li_exec_result_stdout(res, &out_len);
            return py::make_tuple(li_exec_result_exit_code(res), result_bytes(out, out_len));
        },
        py::arg("argv"), py::arg("env") = py::none(), py::arg("cwd") = py::none(),
        py::arg("stdin_data") = py::none(), py::arg("stdin_fd") = -1, py::arg("stdout_fd") = -1,
        py::arg("uid") = 0, py::arg("gid") = 0, py::arg("width") = 0, py::arg("height") = 0,
        py::arg("control") = py::none(),
        "Runs a command on a terminal of the running instance (typing stdin_data, then what "
        "stdin_fd yields) and waits; returns (exit_code, terminal output) unless stdout_fd "
        "receives it.");
}

}  // namespace li::python
