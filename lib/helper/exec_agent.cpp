#include "exec_agent.hpp"

#include "../sys/fd_passing.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>
#include <map>
#include <poll.h>
#include <signal.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace li::helper {

namespace {

constexpr int kStatusFd = 3;
constexpr int kAgentFd = 4;
constexpr size_t kMaxRequest = 256 * 1024;
constexpr size_t kRequestFds = 4;  // stdin, stdout, stderr, channel

void report(const std::string& line) {
    std::string text = line + "\n";
    (void)!::write(kStatusFd, text.data(), text.size());
}

struct Request {
    uid_t uid = 0;
    gid_t gid = 0;
    bool terminal = false;
    std::string cwd;
    std::vector<std::string> env;
    std::vector<std::string> argv;
};

// The request's fields, or false when the message is not one (the agent then ignores it).
bool parse_request(const char* data, size_t size, Request& out) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] != '\0') continue;
        fields.emplace_back(data + start, i - start);
        start = i + 1;
    }
    if (start != size || fields.size() < 7 || fields[0] != "li-exec-1") return false;
    out.uid = static_cast<uid_t>(std::strtoul(fields[1].c_str(), nullptr, 10));
    out.gid = static_cast<gid_t>(std::strtoul(fields[2].c_str(), nullptr, 10));
    out.terminal = fields[3] == "1";
    out.cwd = fields[4];
    size_t env_count = std::strtoul(fields[5].c_str(), nullptr, 10);
    if (6 + env_count >= fields.size()) return false;  // at least one argv entry after the env
    out.env.assign(fields.begin() + 6, fields.begin() + 6 + static_cast<long>(env_count));
    out.argv.assign(fields.begin() + 6 + static_cast<long>(env_count), fields.end());
    return !out.argv.front().empty();
}

void send_line(int channel, const std::string& line, int fd = -1) {
    li::send_with_fds(channel, line, &fd, fd >= 0 ? 1 : 0);
}

// In the forked child: becomes the command (as liblxc's attach would set it up) or writes errno.
[[noreturn]] void become_command(const Request& r, const int fds[kRequestFds], int errno_fd) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGCHLD, SIG_DFL);
    for (int target = 0; target < 3; target++) ::dup2(fds[target], target);
    // Nothing else of the agent's reaches the command: other execs' channels, its socket.
    int keep = ::dup2(errno_fd, 3);
    ::fcntl(keep, F_SETFD, FD_CLOEXEC);
    ::close_range(4, ~0U, 0);
    if (r.terminal) {
        ::setsid();
        ::ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    }
    int err = 0;
    if (::setgroups(0, nullptr) != 0 && errno != EPERM) err = errno;
    if (!err && ::setgid(r.gid) != 0) err = errno;
    if (!err && ::setuid(r.uid) != 0) err = errno;
    if (!err) {
        // As liblxc's attach: a working directory that cannot be entered is not an error.
        if (::chdir(r.cwd.c_str()) != 0) (void)!::chdir("/");
        std::vector<char*> envp, argv;
        for (const auto& e : r.env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        for (const auto& a : r.argv) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        environ = envp.data();  // execvp searches this environment's PATH
        ::execvp(argv[0], argv.data());
        err = errno;
    }
    (void)!::write(keep, &err, sizeof err);
    _exit(127);
}

class Agent {
public:
    explicit Agent(int socket) : socket_(socket) {}

    [[noreturn]] void run() {
        ::prctl(PR_SET_NAME, "li-exec-agent");
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        ::sigprocmask(SIG_BLOCK, &chld, nullptr);
        int sigfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        for (;;) {
            pollfd fds[2] = {{socket_, POLLIN, 0}, {sigfd, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                _exit(1);
            }
            if (fds[1].revents & POLLIN) reap(sigfd);
            if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                if (!serve_one()) _exit(0);  // the library closed its end
            }
        }
    }

private:
    // Receives and starts one request; false once the socket's other end is gone.
    bool serve_one() {
        std::string message;
        std::vector<int> received;
        bool truncated = false;
        ssize_t n = li::receive_with_fds(socket_, message, kMaxRequest, received, kRequestFds, &truncated);
        if (n < 0) return errno == EAGAIN;
        if (n == 0) return false;
        Request request;
        if (received.size() == kRequestFds && !truncated && parse_request(message.data(), message.size(), request))
            start(request, received.data());
        for (int fd : received) ::close(fd);
        return true;
    }

    void start(const Request& request, const int fds[kRequestFds]) {
        int channel = fds[3];
        int errno_pipe[2];
        if (::pipe2(errno_pipe, O_CLOEXEC) != 0) {
            send_line(channel, "exec-error " + std::to_string(errno) + "\n");
            return;
        }
        pid_t pid = ::fork();
        if (pid == 0) become_command(request, fds, errno_pipe[1]);
        ::close(errno_pipe[1]);
        if (pid < 0) {
            send_line(channel, "exec-error " + std::to_string(errno) + "\n");
            ::close(errno_pipe[0]);
            return;
        }
        int exec_errno = 0;
        ssize_t got;
        do got = ::read(errno_pipe[0], &exec_errno, sizeof exec_errno);
        while (got < 0 && errno == EINTR);
        ::close(errno_pipe[0]);
        if (got == static_cast<ssize_t>(sizeof exec_errno)) {
            send_line(channel, "exec-error " + std::to_string(exec_errno) + "\n");
            return;  // the child's exit is reaped and ignored
        }
        int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        send_line(channel, "pid\n", pidfd);
        if (pidfd >= 0) ::close(pidfd);
        running_[pid] = ::fcntl(channel, F_DUPFD_CLOEXEC, 0);
    }

    void reap(int sigfd) {
        signalfd_siginfo info;
        while (::read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {}
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = running_.find(pid);
            if (it == running_.end()) continue;
            int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
            send_line(it->second, "exit " + std::to_string(code) + "\n");
            ::close(it->second);
            running_.erase(it);
        }
    }

    int socket_;
    std::map<pid_t, int> running_;  // command → its channel
};

struct AgentPayload {
    int socket;
    char* args_begin;  // the helper's argv strings, contiguous: what ps shows as the command line
    char* args_end;
};

// Runs attached in the container. The agent proper is a child of this process, which exits at
// once: orphaned inside the container's pid namespace, the agent is then the container init's to
// reap when it ends, not the host's.
int agent_main(void* data) {
    auto* p = static_cast<AgentPayload*>(data);
    // ps inside the container shows a plain name, not the helper's host paths.
    std::memset(p->args_begin, 0, static_cast<size_t>(p->args_end - p->args_begin));
    std::strncpy(p->args_begin, "li-exec-agent", static_cast<size_t>(p->args_end - p->args_begin) - 1);
    pid_t agent = ::fork();
    if (agent == 0) {
        // Only its socket and /dev/null stdio: the helper's status pipe must not stay open (the
        // library reads it to its end), nor anything else the helper had.
        ::close_range(kStatusFd, kStatusFd, 0);
        ::close_range(kAgentFd + 1, ~0U, 0);
        ::setsid();
        Agent(p->socket).run();
    }
    _exit(agent > 0 ? 0 : 1);
}

}  // namespace

int do_exec_agent(const char* lxcpath, const char* name, char* args_begin, char* args_end) {
    struct lxc_log log {};
    log.name = name;
    log.lxcpath = lxcpath;
    log.file = "none";
    log.level = "WARN";
    log.prefix = "libinstance-helper";
    log.quiet = true;
    lxc_log_init(&log);
    ::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
    lxc_container* c = lxc_container_new(name, lxcpath);
    if (!c || !c->is_running(c)) {
        report("error the container is not running");
        return 1;
    }
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    AgentPayload payload{kAgentFd, args_begin, args_end};
    lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
    // The LSM label now, not at exec: the agent never execs, its commands inherit the label.
    opts.attach_flags = (LXC_ATTACH_DEFAULT & ~LXC_ATTACH_LSM_EXEC) | LXC_ATTACH_LSM_NOW;
    opts.env_policy = LXC_ATTACH_CLEAR_ENV;
    opts.initial_cwd = const_cast<char*>("/");
    opts.stdin_fd = null_fd;
    opts.stdout_fd = null_fd;
    opts.stderr_fd = null_fd;
    pid_t pid = -1;
    int ret = c->attach(c, agent_main, &payload, &opts, &pid);
    lxc_container_put(c);
    int status = 0;
    if (ret >= 0 && pid > 0)
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (ret < 0 || pid <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        report("error liblxc could not attach the exec agent to the container");
        return 1;
    }
    report("ok");
    return 0;  // the agent outlives this process
}

}  // namespace li::helper
