// libinstance-helper: runs the liblxc calls that fork (start, attach) outside the embedding
// process, so liblxc never forks inside a program that embeds libinstance.
//
//   libinstance-helper start LXCPATH NAME LOGFILE
//   libinstance-helper attach LXCPATH NAME [--cwd DIR] [--uid N] [--gid N] [--env K=V]... [--terminal] -- CMD...
//   libinstance-helper console LXCPATH NAME
//   libinstance-helper exec-agent LXCPATH NAME (exec_agent.cpp)
//   libinstance-helper proxy --pid PID --bind host|container --listen ADDR --connect ADDR ... (proxy.cpp)
//
// attach reports on fd 3 "pid N" once the command runs (its host pid), then one line: "exit N",
// "exec-error ERRNO" or "error MESSAGE". With --terminal, stdin is made the command's controlling
// terminal in a session of its own.
// console sends on fd 3 (a unix socket) one message: "ok" carrying two descriptors, the console
// terminal's master side and liblxc's command socket that keeps it allocated, or "error MESSAGE".

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "../sys/fd_passing.hpp"
#include "exec_agent.hpp"
#include "proxy.hpp"

namespace {

constexpr int kStatusFd = 3;

void report(const std::string& line) {
    std::string text = line + "\n";
    (void)!::write(kStatusFd, text.data(), text.size());
}

int usage() {
    std::fprintf(stderr, "usage: libinstance-helper start LXCPATH NAME LOGFILE\n"
                         "       libinstance-helper attach LXCPATH NAME [--cwd DIR] [--uid N] [--gid N] "
                         "[--env K=V]... [--terminal] -- CMD...\n"
                         "       libinstance-helper console LXCPATH NAME\n");
    return 2;
}

void init_log(const char* name, const char* lxcpath, const char* file) {
    struct lxc_log log {};
    log.name = name;
    log.lxcpath = lxcpath;
    log.file = file;
    log.level = "WARN";
    log.prefix = "libinstance-helper";
    log.quiet = true;
    lxc_log_init(&log);
}

int do_start(const char* lxcpath, const char* name, const char* logfile) {
    init_log(name, lxcpath, logfile);
    lxc_container* c = lxc_container_new(name, lxcpath);
    if (!c) {
        std::fprintf(stderr, "cannot load container %s\n", name);
        return 1;
    }
    c->want_daemonize(c, true);
    // The container's init must not inherit the caller's descriptors (pipes, sockets, the DB).
    c->want_close_all_fds(c, true);
    bool ok = c->start(c, 0, nullptr);
    lxc_container_put(c);
    if (!ok) {
        std::fprintf(stderr, "liblxc failed to start %s\n", name);
        return 1;
    }
    return 0;
}

struct AttachPayload {
    std::vector<char*> argv;
    int errno_fd;  // close-on-exec: a successful exec closes it, a failed one writes errno
    bool terminal = false;
};

int run_command(void* data) {
    auto* p = static_cast<AttachPayload*>(data);
    if (p->terminal) {
        // A session of its own with stdin as the controlling terminal: the terminal's ^C and
        // window size changes then reach the command's foreground process group.
        ::setsid();
        ::ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    }
    ::execvp(p->argv[0], p->argv.data());
    int err = errno;
    (void)!::write(p->errno_fd, &err, sizeof err);
    _exit(127);
}

int do_attach(const char* lxcpath, const char* name, int argc, char** argv) {
    std::vector<std::string> env;
    std::string cwd = "/root";
    uid_t uid = 0;
    gid_t gid = 0;
    bool terminal = false;
    int i = 0;
    for (; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "--") {
            i++;
            break;
        }
        if (arg == "--terminal") {
            terminal = true;
            continue;
        }
        if (i + 1 >= argc) return usage();
        if (arg == "--cwd") cwd = argv[++i];
        else if (arg == "--uid") uid = static_cast<uid_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (arg == "--gid") gid = static_cast<gid_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (arg == "--env") env.emplace_back(argv[++i]);
        else return usage();
    }
    if (i >= argc) return usage();

    init_log(name, lxcpath, "none");
    lxc_container* c = lxc_container_new(name, lxcpath);
    if (!c || !c->is_running(c)) {
        report("error the container is not running");
        return 1;
    }
    // The command must not inherit the status fd: a process it leaves in the background would
    // hold it open, and the caller waits for its end as the sign that the command is over.
    ::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
    int errno_pipe[2];
    if (::pipe2(errno_pipe, O_CLOEXEC) != 0) {
        report(std::string("error pipe: ") + std::strerror(errno));
        return 1;
    }
    AttachPayload payload;
    for (int j = i; j < argc; j++) payload.argv.push_back(argv[j]);
    payload.argv.push_back(nullptr);
    payload.errno_fd = errno_pipe[1];
    payload.terminal = terminal;

    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
    opts.env_policy = LXC_ATTACH_CLEAR_ENV;
    opts.extra_env_vars = envp.data();
    opts.initial_cwd = cwd.data();
    opts.uid = uid;
    opts.gid = gid;
    opts.stdin_fd = 0;
    opts.stdout_fd = 1;
    opts.stderr_fd = 2;

    pid_t pid = -1;
    int ret = c->attach(c, run_command, &payload, &opts, &pid);
    ::close(errno_pipe[1]);
    if (ret < 0 || pid <= 0) {
        report("error liblxc could not attach to the container");
        lxc_container_put(c);
        return 1;
    }
    report("pid " + std::to_string(pid));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    int exec_errno = 0;
    ssize_t n = ::read(errno_pipe[0], &exec_errno, sizeof exec_errno);
    lxc_container_put(c);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
        report("exec-error " + std::to_string(exec_errno));
        return 0;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    report("exit " + std::to_string(code));
    return 0;
}

// One message on the status socket, with descriptors attached when fds is not empty.
bool send_with_fds(const std::string& text, const std::vector<int>& fds) {
    return li::send_with_fds(kStatusFd, text, fds.data(), fds.size()) == 0;
}

// Terminal 0 is the container's /dev/console; liblxc hands out a proxy terminal bridged to it,
// which stays the caller's until the command socket is closed. The helper exits at once: the
// caller holds both descriptors.
int do_console(const char* lxcpath, const char* name) {
    init_log(name, lxcpath, "none");
    lxc_container* c = lxc_container_new(name, lxcpath);
    if (!c || !c->is_running(c)) {
        send_with_fds("error the container is not running", {});
        return 1;
    }
    int ttynum = 0;
    int ptx = -1;
    int keep = c->console_getfd(c, &ttynum, &ptx);
    lxc_container_put(c);
    if (keep < 0 || ptx < 0) {
        send_with_fds("error the console is not available (it may be attached already)", {});
        return 1;
    }
    return send_with_fds("ok", {ptx, keep}) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "proxy") return do_proxy(argc - 2, argv + 2);
    if (argc < 4) return usage();
    std::string verb = argv[1];
    if (verb == "start" && argc == 5) return do_start(argv[2], argv[3], argv[4]);
    if (verb == "attach") return do_attach(argv[2], argv[3], argc - 4, argv + 4);
    if (verb == "console" && argc == 4) return do_console(argv[2], argv[3]);
    if (verb == "exec-agent" && argc == 4) return li::helper::do_exec_agent(argv[2], argv[3], argv[0], argv[argc - 1] + std::strlen(argv[argc - 1]));
    return usage();
}
