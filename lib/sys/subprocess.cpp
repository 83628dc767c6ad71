#include "sys/subprocess.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libinstance/error.hpp"

extern char** environ;

namespace li {

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error::from_errno("creating a pipe", errno);
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

int Child::wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) throw Error::from_errno("waiting for a child process", errno);
    }
    return status;
}

int exit_code_from_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

namespace {

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const std::vector<int>& fds, char* const* argv, char* const* envp, int err_fd,
                             bool new_session) {
    if (new_session) ::setsid();
    // Move the wanted fds above the target range first so dup2 order cannot clobber them.
    int moved[64];
    int count = static_cast<int>(fds.size() < 64 ? fds.size() : 64);
    for (int i = 0; i < count; i++) {
        int src = fds[i];
        if (src < 0) src = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        moved[i] = ::fcntl(src, F_DUPFD_CLOEXEC, 100);
    }
    for (int i = 0; i < count; i++) {
        if (moved[i] < 0 || ::dup2(moved[i], i) < 0) {
            int e = errno;
            (void)!::write(err_fd, &e, sizeof e);
            ::_exit(127);
        }
    }
    ::syscall(SYS_close_range, count, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvpe(argv[0], argv, envp);
    int e = errno;
    (void)!::write(err_fd, &e, sizeof e);
    ::_exit(127);
}

}  // namespace

Child spawn(const SpawnSpec& spec) {
    if (spec.argv.empty()) throw Error::invalid("argv", "empty command");
    std::vector<char*> argv;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    char* const* env = spec.env.empty() ? environ : envp.data();

    // The error pipe reports a failed exec: it is close-on-exec, so a successful exec reads EOF.
    Pipe errpipe = make_pipe();
    pid_t pid = ::fork();
    if (pid < 0) throw Error::from_errno("forking", errno);
    if (pid == 0) exec_child(spec.fds, argv.data(), env, errpipe.write.get(), spec.new_session);
    errpipe.write.reset();
    int child_errno = 0;
    ssize_t n;
    do {
        n = ::read(errpipe.read.get(), &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    if (n == sizeof child_errno) {
        int status;
        ::waitpid(pid, &status, 0);
        throw Error::from_errno(fmt::format("running {}", spec.argv[0]), child_errno);
    }
    return Child(pid);
}

namespace {
// Writing to a pipe whose reader has gone raises SIGPIPE, which would kill the embedding process:
// block it on this thread while pumping and swallow any that became pending.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, &old_);
    }
    ~SigpipeGuard() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        struct timespec zero {};
        while (sigtimedwait(&set, nullptr, &zero) > 0) {}
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }

private:
    sigset_t old_;
};
}  // namespace

bool pump_io(int stdin_fd, const std::string* input, int out_fd, std::string* out, int err_fd,
             std::string* err, std::stop_token stop) {
    SigpipeGuard sigpipe_guard;
    size_t written = 0;
    struct pollfd pfds[3];
    char buf[65536];
    for (;;) {
        int n = 0;
        int in_idx = -1, out_idx = -1, err_idx = -1;
        if (stdin_fd >= 0) { in_idx = n; pfds[n++] = {stdin_fd, POLLOUT, 0}; }
        if (out_fd >= 0) { out_idx = n; pfds[n++] = {out_fd, POLLIN, 0}; }
        if (err_fd >= 0) { err_idx = n; pfds[n++] = {err_fd, POLLIN, 0}; }
        if (n == 0) return true;
        if (stop.stop_requested()) {
            if (stdin_fd >= 0) ::close(stdin_fd);
            return false;
        }
        // With a stop token, wake up now and then to notice a stop request.
        if (::poll(pfds, n, stop.stop_possible() ? 100 : -1) < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno("waiting for process output", errno);
        }
        if (in_idx >= 0 && pfds[in_idx].revents) {
            ssize_t w = -1;
            if (input && written < input->size())
                w = ::write(stdin_fd, input->data() + written, input->size() - written);
            if (w > 0) written += static_cast<size_t>(w);
            if (w <= 0 || !input || written >= input->size()) {
                ::close(stdin_fd);
                stdin_fd = -1;
            }
        }
        auto drain = [&](int idx, int& fd, std::string* sink) {
            if (idx < 0 || !pfds[idx].revents) return;
            ssize_t r = ::read(fd, buf, sizeof buf);
            if (r > 0) sink->append(buf, static_cast<size_t>(r));
            else if (r == 0 || errno != EINTR) fd = -1;
        };
        drain(out_idx, out_fd, out);
        drain(err_idx, err_fd, err);
    }
}

void drain_available(int fd, std::string& sink) {
    if (fd < 0) return;
    char buf[65536];
    for (;;) {
        struct pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN)) return;
        ssize_t r = ::read(fd, buf, sizeof buf);
        if (r <= 0) return;
        sink.append(buf, static_cast<size_t>(r));
    }
}

std::string run_checked(const std::vector<std::string>& argv, std::string_view what, std::stop_token stop) {
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    Child child = spawn(SpawnSpec{argv, {-1, out.write.get(), err.write.get()}, {}, true});
    out.write.reset();
    err.write.reset();
    std::string out_text, err_text;
    if (!pump_io(-1, nullptr, out.read.get(), &out_text, err.read.get(), &err_text, stop)) {
        ::kill(child.pid(), SIGKILL);
        child.wait();
        throw Error(ErrorCode::Cancelled, fmt::format("{}: cancelled", what));
    }
    int status = child.wait();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!err_text.empty() && err_text.back() == '\n') err_text.pop_back();
        throw Error(ErrorCode::Backend, fmt::format("{}: {} failed (status {}): {}", what, argv[0],
                                                    exit_code_from_status(status), err_text));
    }
    return out_text;
}

}  // namespace li
