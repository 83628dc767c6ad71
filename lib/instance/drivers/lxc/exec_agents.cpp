#include "instance/drivers/lxc/exec_agents.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/socket.h>
#include <thread>

#include "core/log.hpp"
#include "sys/cgroup_warmup.hpp"
#include "sys/fd_passing.hpp"
#include "sys/subprocess.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// A request larger than this goes through liblxc's attach instead (an agent message must fit in
// one datagram of the socket's send buffer).
constexpr size_t kMaxRequest = 128 * 1024;

std::string encode(const AgentCommand& c) {
    std::string out;
    auto field = [&out](const std::string& text) {
        out += text;
        out.push_back('\0');
    };
    field("li-exec-1");
    field(std::to_string(c.uid));
    field(std::to_string(c.gid));
    field(c.terminal ? "1" : "0");
    field(c.cwd.empty() ? "/root" : c.cwd);
    field(std::to_string(c.env.size()));
    for (const auto& e : c.env) field(e);
    for (const auto& a : c.argv) field(a);
    return out;
}

// A field (argv, env, cwd) with a NUL in it cannot be carried; the attach path refuses it too.
bool encodable(const AgentCommand& c) {
    auto clean = [](const std::string& s) { return s.find('\0') == std::string::npos; };
    for (const auto& a : c.argv)
        if (!clean(a)) return false;
    for (const auto& e : c.env)
        if (!clean(e)) return false;
    return clean(c.cwd) && !c.argv.empty();
}

// The pid a pidfd refers to, in this process's pid namespace; 0 when it already ended.
int pid_of_pidfd(int pidfd) {
    std::ifstream info("/proc/self/fdinfo/" + std::to_string(pidfd));
    std::string line;
    while (std::getline(info, line)) {
        if (line.rfind("Pid:", 0) == 0) {
            int pid = std::atoi(line.c_str() + 4);
            return pid > 0 ? pid : 0;
        }
    }
    return 0;
}

}  // namespace

ExecAgents::ExecAgents(fs::path helper, fs::path lxcpath) : helper_(std::move(helper)), lxcpath_(std::move(lxcpath)) {}

std::shared_ptr<ExecAgents::Agent> ExecAgents::agent_of(const std::string& lxc_name) {
    std::lock_guard lock(mutex_);
    auto& agent = agents_[lxc_name];
    if (!agent) agent = std::make_shared<Agent>();
    return agent;
}

bool ExecAgents::spawn(const std::string& lxc_name, Agent& agent) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return false;
    UniqueFd ours(pair[0]), theirs(pair[1]);
    Pipe status = make_pipe();
    // The agent's attach moves it into the container's cgroups (see sys/cgroup_warmup.hpp).
    warm_up_cgroup_migration();
    std::string report;
    int wait_status = 0;
    try {
        Child child = li::spawn(SpawnSpec{{helper_.string(), "exec-agent", lxcpath_.string(), lxc_name},
                                      {-1, -1, -1, status.write.get(), theirs.get()}, {}});
        status.write.reset();
        theirs.reset();
        char buf[512];
        ssize_t n;
        // One line; not to the pipe's end, which a misbehaving agent could hold open.
        while (report.find('\n') == std::string::npos &&
               ((n = ::read(status.read.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
            if (n > 0) report.append(buf, static_cast<size_t>(n));
        wait_status = child.wait();
    } catch (const std::exception& e) {
        report = e.what();
    }
    if (report.rfind("ok", 0) != 0 || wait_status != 0) {
        log::debug("the exec agent did not start; exec attaches instead",
                   {{"instance", lxc_name}, {"report", report.substr(0, report.find('\n'))}});
        return false;
    }
    agent.socket = std::move(ours);
    return true;
}

UniqueFd ExecAgents::launch(const std::string& lxc_name, const AgentCommand& command, int in, int out, int err) {
    if (!encodable(command)) return {};
    std::string message = encode(command);
    if (message.size() > kMaxRequest) return {};
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return {};
    UniqueFd channel(pair[0]), agent_end(pair[1]);
    UniqueFd null_fd;
    auto or_null = [&null_fd](int fd) {
        if (fd >= 0) return fd;
        if (!null_fd) null_fd.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
        return null_fd.get();
    };
    std::array<int, 4> fds{or_null(in), or_null(out), or_null(err), agent_end.get()};

    auto agent = agent_of(lxc_name);
    std::lock_guard lock(agent->mutex);
    // An agent that is gone (its container restarted) refuses the send: start a new one, once.
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!agent->socket && !spawn(lxc_name, *agent)) return {};
        int error = send_with_fds(agent->socket.get(), message, fds.data(), fds.size(), MSG_DONTWAIT);
        if (error == 0) return channel;
        agent->socket.reset();
        if (error != EPIPE && error != ECONNRESET && error != ENOTCONN) return {};
    }
    return {};
}

void ExecAgents::prestart(const std::string& lxc_name) {
    std::thread([self = shared_from_this(), lxc_name] {
        auto agent = self->agent_of(lxc_name);
        std::lock_guard lock(agent->mutex);
        if (!agent->socket) self->spawn(lxc_name, *agent);
    }).detach();
}

void ExecAgents::forget(const std::string& lxc_name) {
    std::shared_ptr<Agent> agent;
    {
        std::lock_guard lock(mutex_);
        auto it = agents_.find(lxc_name);
        if (it == agents_.end()) return;
        agent = std::move(it->second);
        agents_.erase(it);
    }
    std::lock_guard lock(agent->mutex);  // a start under way finishes first
    agent->socket.reset();
}

void read_agent_channel(int channel, std::string& report, const std::function<void(int)>& on_started) {
    std::string text, chunk;
    bool started = false;
    for (;;) {
        std::vector<int> fds;
        if (receive_with_fds(channel, chunk, 256, fds, 4) <= 0) break;
        for (size_t i = 0; i < fds.size(); i++) {
            // The agent is inside the container and not trusted: only the first descriptor is
            // read, as a pidfd (which can only name the container's own processes).
            if (i == 0 && !started && on_started)
                if (int pid = pid_of_pidfd(fds[i]); pid > 0) on_started(pid);
            started = started || i == 0;
            ::close(fds[i]);
        }
        text += chunk;
        if (text.size() > 4096) break;  // a well-behaved agent sends two short lines
    }
    // "pid\n" announces the pidfd; what follows is the report.
    if (text.rfind("pid\n", 0) == 0) text.erase(0, 4);
    report = std::move(text);
}

}  // namespace li
