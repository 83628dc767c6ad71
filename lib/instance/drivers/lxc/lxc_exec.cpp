#include "instance/drivers/lxc/lxc_exec.hpp"

#include <fmt/format.h>
#include <map>
#include <optional>
#include <stop_token>
#include <thread>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "instance/drivers/lxc/exec_agents.hpp"
#include "sys/cgroup_warmup.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

std::vector<std::string> exec_environment(const api::ConfigMap& config, const std::vector<std::string>& extra) {
    std::map<std::string, std::string> env{
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"HOME", "/root"},
        {"USER", "root"},
        {"LANG", "C.UTF-8"},
    };
    for (const auto& [key, value] : config) {
        if (key.rfind("environment.", 0) == 0) env[key.substr(12)] = value;
    }
    for (const auto& kv : extra) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error::invalid("env", fmt::format("environment entry \"{}\" is not KEY=VALUE", kv));
        env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

namespace {

// The helper's one-line report on fd 3: "exit N" or "exec-error ERRNO" or "error MESSAGE".
ExecResult interpret_status(const std::string& status, const std::string& program, ExecResult result) {
    if (status.rfind("exit ", 0) == 0) {
        result.exit_code = std::stoi(status.substr(5));
        return result;
    }
    if (status.rfind("exec-error ", 0) == 0) {
        int err = std::stoi(status.substr(11));
        if (err == ENOENT)
            throw Error(ErrorCode::NotFound, fmt::format("command \"{}\" not found in the instance", program), "command");
        throw Error::from_errno(fmt::format("executing \"{}\" in the instance", program), err);
    }
    std::string message = status.rfind("error ", 0) == 0 ? status.substr(6) : status;
    if (message.empty()) message = "the helper ended without a report";
    throw Error(ErrorCode::Backend, fmt::format("running \"{}\": {}", program, message));
}

// Reads the helper's status fd to its end into report, telling on_started the command's pid as
// soon as the helper's "pid N" line arrives (that line is not part of the report).
void read_status(int fd, std::string& report, const std::function<void(int)>& on_started) {
    std::string text;
    char buf[256];
    bool pid_seen = false;
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
        size_t eol;
        while (!pid_seen && (eol = text.find('\n')) != std::string::npos && text.rfind("pid ", 0) == 0) {
            pid_seen = true;
            int pid = std::atoi(text.c_str() + 4);
            text.erase(0, eol + 1);
            if (on_started && pid > 0) on_started(pid);
        }
    }
    if (!pid_seen && text.rfind("pid ", 0) == 0) text.clear();  // cut short: no report
    report = std::move(text);
}

}  // namespace

ExecResult lxc_exec(const std::filesystem::path& helper, const std::filesystem::path& lxcpath,
                    const std::string& lxc_name, const api::ConfigMap& config, const std::vector<std::string>& argv,
                    const ExecOptions& opts, ExecAgents* agents) {
    if (argv.empty() || argv.front().empty()) throw Error::invalid("command", "no command given");
    AgentCommand command{argv, exec_environment(config, opts.env), opts.cwd.empty() ? "/root" : opts.cwd,
                         opts.uid, opts.gid, opts.terminal};

    Pipe in, out, err;
    int child_in = opts.stdin_fd;
    if (child_in < 0 && opts.stdin_data) {
        in = make_pipe();
        child_in = in.read.get();
    }
    int child_out = opts.stdout_fd;
    if (child_out < 0) {
        out = make_pipe();
        child_out = out.write.get();
    }
    int child_err = opts.stderr_fd;
    if (child_err < 0) {
        err = make_pipe();
        child_err = err.write.get();
    }
    // The command runs through the container's exec agent when it has one (or one can be
    // started), else through the helper's attach. Either way, `read_report` blocks until the
    // command ended and leaves its one-line report.
    std::function<void(std::string&)> read_report;
    std::optional<Child> helper_child;
    UniqueFd channel, status_read;
    if (agents) channel = agents->launch(lxc_name, command, child_in, child_out, child_err);
    if (channel) {
        read_report = [&](std::string& report) { read_agent_channel(channel.get(), report, opts.on_started); };
    } else {
        std::vector<std::string> cmd{helper.string(), "attach", lxcpath.string(), lxc_name,
                                     "--cwd", command.cwd,
                                     "--uid", std::to_string(opts.uid), "--gid", std::to_string(opts.gid)};
        for (const auto& e : command.env) {
            cmd.push_back("--env");
            cmd.push_back(e);
        }
        if (opts.terminal) cmd.push_back("--terminal");
        cmd.push_back("--");
        cmd.insert(cmd.end(), argv.begin(), argv.end());
        Pipe status = make_pipe();
        // The helper's attach moves the command into the container's cgroups: let the kernel's
        // grace period for that start now, while the helper starts (see sys/cgroup_warmup.hpp).
        warm_up_cgroup_migration();
        helper_child.emplace(spawn(SpawnSpec{cmd, {child_in, child_out, child_err, status.write.get()}, {}}));
        status_read = std::move(status.read);
        read_report = [&](std::string& report) { read_status(status_read.get(), report, opts.on_started); };
    }
    in.read.reset();
    out.write.reset();
    err.write.reset();

    ExecResult result;
    std::string report;
    // The command is over when its report arrives, even if a process it left in the background
    // still holds stdout/stderr open (as `sh -c "server &"` does): then what the command wrote is
    // collected without waiting for those pipes to close, as LXD does.
    std::stop_source command_done;
    std::thread status_reader([&] {
        read_report(report);
        command_done.request_stop();
    });
    bool drained = pump_io(in.write ? in.write.release() : -1, opts.stdin_data ? &*opts.stdin_data : nullptr,
                           out.read.get(), &result.stdout_data, err.read.get(), &result.stderr_data, command_done.get_token());
    status_reader.join();
    if (!drained) {
        drain_available(out.read.get(), result.stdout_data);
        drain_available(err.read.get(), result.stderr_data);
    }
    int wait_status = helper_child ? helper_child->wait() : 0;
    while (!report.empty() && report.back() == '\n') report.pop_back();
    if (report.empty() && wait_status != 0)
        report = fmt::format("error the helper failed with status {}", exit_code_from_status(wait_status));
    if (report.empty() && channel) report = "error the command ended without a status (did the instance stop?)";
    return interpret_status(report, argv.front(), std::move(result));
}

}  // namespace li
