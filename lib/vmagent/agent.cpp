#include "vmagent/agent.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "vmagent/agent_files.hpp"

extern char** environ;

namespace vmagent {

namespace {

using Clock = std::chrono::steady_clock;

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

void set_nonblock(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// The command's environment: the defaults, then the host's KEY=VALUE entries over them.
std::vector<std::string> command_env(const std::vector<std::string>& extra) {
    std::map<std::string, std::string> env{
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"HOME", "/root"},
        {"USER", "root"},
        {"LANG", "C.UTF-8"},
    };
    for (const auto& kv : extra) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0 || kv.find('\0') != std::string::npos)
            throw ProtocolError("environment entry is not KEY=VALUE");
        env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

// Where a command's start failed (reported with the errno by the forked child).
enum { kStageExec = 0, kStageSession, kStageTerminal, kStageStdio, kStageCwd, kStageCredentials };

}  // namespace

enum class Kind { Exec, Read, Write };

struct Channel {
    uint32_t id = 0;
    Kind kind = Kind::Exec;
    // Exec: the command, its stdin (buffered host data), stdout and stderr (a pty master serves
    // both stdin and stdout in terminal mode).
    pid_t pid = -1;
    bool terminal = false;
    int in_fd = -1, out_fd = -1, err_fd = -1;
    std::string in_buf;
    bool in_eof = false;
    bool exited = false;
    int exit_code = 0;
    Clock::time_point drain_until{};
    // What is read after the exit: the pipe's or pty's content then, not a background process's
    // endless output (which would hold the exit back forever).
    size_t drain_left = 4 * 1024 * 1024;
    // Read: the file; Write: the temporary file and where it goes.
    int file_fd = -1;
    std::string path, temp;
    // Data this side may still send before the host credits more.
    uint32_t credit = kWindow;

    ~Channel() {
        close_fd(in_fd);
        close_fd(out_fd);
        close_fd(err_fd);
        close_fd(file_fd);
        if (!temp.empty()) ::unlink(temp.c_str());  // a write never finished leaves nothing
    }
};

Agent::Agent() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    sigchld_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    ::signal(SIGPIPE, SIG_IGN);
}

Agent::~Agent() {
    drop_session();
    close_fd(sigchld_fd_);
}

void Agent::send(MsgType type, uint32_t channel, std::string_view payload) {
    out_ += encode_frame(type, channel, session_, payload);
}

void Agent::send_error(uint32_t channel, int err, const std::string& message) {
    send(MsgType::Error, channel, Writer().u32(static_cast<uint32_t>(err)).str(message).take());
}

void Agent::drop_session() {
    for (auto& [id, c] : channels_) {
        if (c->pid > 0 && !c->exited) {
            ::kill(-c->pid, SIGKILL);  // the command is its session's (and group's) leader
            ::kill(c->pid, SIGKILL);
        }
    }
    channels_.clear();  // pids_ stays: reap() collects the killed commands
    discard_output();
    session_ = 0;
}

void Agent::announce() {
    if (session_ == 0) send(MsgType::HelloAck, 0, Writer().u32(kProtocolVersion).str(LI_VM_AGENT_VERSION).take());
}

void Agent::close_channel(uint32_t id) {
    auto it = channels_.find(id);
    if (it == channels_.end()) return;
    Channel& c = *it->second;
    if (c.pid > 0 && !c.exited) {
        ::kill(-c.pid, SIGKILL);
        ::kill(c.pid, SIGKILL);
    }
    channels_.erase(it);
}

void Agent::on_frame(Frame& f) {
    if (f.type == MsgType::Hello) {
        if (f.channel != 0) throw ProtocolError("hello on a channel");
        Reader r(f.payload);
        uint32_t version = r.u32();
        (void)version;  // one protocol version so far; a later one answers with its own
        drop_session();
        session_ = f.session;
        send(MsgType::HelloAck, 0, Writer().u32(kProtocolVersion).str(LI_VM_AGENT_VERSION).take());
        return;
    }
    if (session_ == 0) throw ProtocolError("frame before the hello");
    if (f.channel == 0) throw ProtocolError("frame on channel 0");
    Reader r(f.payload);
    auto it = channels_.find(f.channel);
    Channel* c = it == channels_.end() ? nullptr : it->second.get();
    bool request = f.type == MsgType::Ping || f.type == MsgType::Exec || f.type == MsgType::Stat ||
                   f.type == MsgType::Read || f.type == MsgType::Write || f.type == MsgType::Mkdir ||
                   f.type == MsgType::Symlink || f.type == MsgType::Remove;
    if (request && c) throw ProtocolError("channel id in use");
    if (request && channels_.size() >= kMaxChannels) {
        send_error(f.channel, EAGAIN, "too many calls at once");
        return;
    }
    switch (f.type) {
    case MsgType::Ping:
        r.end();
        send(MsgType::Pong, f.channel, Writer().str(LI_VM_AGENT_VERSION).take());
        return;
    case MsgType::Exec:
        start_exec(f.channel, r);
        return;
    case MsgType::Stat: {
        std::string path = r.path();
        r.end();
        StatResult st;
        if (int err = file_stat(path, st)) return send_error(f.channel, err, "stat " + path);
        send(MsgType::StatResult, f.channel,
             Writer().u32(static_cast<uint32_t>(st.type)).u32(st.uid).u32(st.gid).u32(st.mode).u64(st.size).str(st.target).take());
        // Entries in frames well under the bound.
        Writer w;
        std::vector<std::string> batch;
        size_t bytes = 0;
        for (auto& e : st.entries) {
            batch.push_back(std::move(e));
            bytes += batch.back().size() + 4;
            if (bytes > kMaxPayload / 2 || batch.size() == kMaxListItems) {
                send(MsgType::Entries, f.channel, Writer().list(batch).take());
                batch.clear();
                bytes = 0;
            }
        }
        if (!batch.empty()) send(MsgType::Entries, f.channel, Writer().list(batch).take());
        send(MsgType::Done, f.channel);
        return;
    }
    case MsgType::Read: {
        std::string path = r.path();
        r.end();
        auto ch = std::make_unique<Channel>();
        ch->id = f.channel;
        ch->kind = Kind::Read;
        ch->path = path;
        if (int err = file_open_read(path, ch->file_fd)) return send_error(f.channel, err, "reading " + path);
        channels_[f.channel] = std::move(ch);
        return;
    }
    case MsgType::Write: {
        std::string path = r.path();
        CreateOptions o;
        o.has = r.u32();
        o.uid = r.u32();
        o.gid = r.u32();
        o.mode = r.u32();
        r.end();
        auto ch = std::make_unique<Channel>();
        ch->id = f.channel;
        ch->kind = Kind::Write;
        ch->path = path;
        if (int err = file_begin_write(path, o, ch->file_fd, ch->temp)) return send_error(f.channel, err, "writing " + path);
        channels_[f.channel] = std::move(ch);
        send(MsgType::Ready, f.channel);
        return;
    }
    case MsgType::Mkdir:
    case MsgType::Symlink: {
        std::string path = r.path();
        std::string target;
        if (f.type == MsgType::Symlink) {
            target = r.str(kMaxPath);
            if (target.empty() || target.find('\0') != std::string::npos) throw ProtocolError("bad symlink target");
        }
        CreateOptions o;
        o.has = r.u32();
        o.uid = r.u32();
        o.gid = r.u32();
        o.mode = r.u32();
        r.end();
        int err = f.type == MsgType::Mkdir ? file_mkdir(path, o) : file_symlink(path, target, o);
        if (err) return send_error(f.channel, err, (f.type == MsgType::Mkdir ? "creating directory " : "creating symlink ") + path);
        send(MsgType::Done, f.channel);
        return;
    }
    case MsgType::Remove: {
        std::string path = r.path();
        r.end();
        if (int err = file_remove(path)) return send_error(f.channel, err, "deleting " + path);
        send(MsgType::Done, f.channel);
        return;
    }
    default:
        break;
    }
    // Not a request: it belongs to a running call. A call that already ended may still get frames
    // the host sent before it learnt so: those are dropped.
    if (!c) {
        if (f.type == MsgType::Stdin || f.type == MsgType::StdinEof || f.type == MsgType::Signal ||
            f.type == MsgType::Winsize || f.type == MsgType::Data || f.type == MsgType::Done ||
            f.type == MsgType::Close || f.type == MsgType::Credit)
            return;
        throw ProtocolError("unexpected frame type for no call");
    }
    switch (f.type) {
    case MsgType::Close:
        close_channel(f.channel);
        return;
    case MsgType::Credit: {
        uint32_t n = r.u32();
        r.end();
        c->credit = static_cast<uint32_t>(std::min<uint64_t>(uint64_t(c->credit) + n, kWindow));
        return;
    }
    case MsgType::Stdin:
        if (c->kind != Kind::Exec || c->in_eof) throw ProtocolError("stdin for no command input");
        if (c->in_buf.size() + f.payload.size() > kWindow) throw ProtocolError("stdin over the window");
        if (c->in_fd >= 0) c->in_buf += f.payload;
        else send(MsgType::Credit, c->id, Writer().u32(static_cast<uint32_t>(f.payload.size())).take());
        return;
    case MsgType::StdinEof:
        if (c->kind != Kind::Exec) throw ProtocolError("stdin end for no command");
        r.end();
        c->in_eof = true;
        return;
    case MsgType::Signal: {
        uint32_t sig = r.u32();
        r.end();
        if (c->kind != Kind::Exec) throw ProtocolError("signal for no command");
        if (sig < 1 || sig > 64) return;  // not a signal: ignored
        if (c->pid > 0 && !c->exited) ::kill(c->pid, static_cast<int>(sig));
        return;
    }
    case MsgType::Winsize: {
        uint32_t cols = r.u32(), rows = r.u32();
        r.end();
        if (c->kind != Kind::Exec) throw ProtocolError("window size for no command");
        if (c->terminal && c->out_fd >= 0 && cols > 0 && rows > 0 && cols < 65536 && rows < 65536) {
            struct winsize ws {};
            ws.ws_col = static_cast<unsigned short>(cols);
            ws.ws_row = static_cast<unsigned short>(rows);
            ::ioctl(c->out_fd, TIOCSWINSZ, &ws);
        }
        return;
    }
    case MsgType::Data: {
        if (c->kind != Kind::Write) throw ProtocolError("data for no file write");
        const char* p = f.payload.data();
        size_t left = f.payload.size();
        while (left > 0) {
            ssize_t n = ::write(c->file_fd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                int err = errno;
                std::string path = c->path;
                channels_.erase(f.channel);  // removes the temporary file
                return send_error(f.channel, err, "writing " + path);
            }
            p += n;
            left -= static_cast<size_t>(n);
        }
        send(MsgType::Credit, c->id, Writer().u32(static_cast<uint32_t>(f.payload.size())).take());
        return;
    }
    case MsgType::Done: {
        if (c->kind != Kind::Write) throw ProtocolError("end of data for no file write");
        r.end();
        int fd = c->file_fd;
        c->file_fd = -1;
        std::string temp = std::move(c->temp), path = c->path;
        c->temp.clear();
        channels_.erase(f.channel);
        if (int err = file_commit(fd, temp, path)) return send_error(f.channel, err, "writing " + path);
        send(MsgType::Done, f.channel);
        return;
    }
    default:
        throw ProtocolError("unexpected frame type for a call");
    }
}

void Agent::start_exec(uint32_t id, Reader& r) {
    std::vector<std::string> argv = r.list();
    std::vector<std::string> env = command_env(r.list());
    std::string cwd = r.str(kMaxPath);
    uint32_t uid = r.u32(), gid = r.u32(), flags = r.u32(), cols = r.u32(), rows = r.u32();
    r.end();
    if (argv.empty() || argv[0].empty()) throw ProtocolError("exec without a command");
    for (const auto& a : argv)
        if (a.find('\0') != std::string::npos) throw ProtocolError("argument holds a NUL byte");
    if (!cwd.empty() && (cwd[0] != '/' || cwd.find('\0') != std::string::npos)) throw ProtocolError("bad cwd");

    auto c = std::make_unique<Channel>();
    c->id = id;
    c->terminal = flags & kExecTerminal;
    // The child's ends.
    int child_in = -1, child_out = -1, child_err = -1;
    int err = 0;
    std::string slave_name;
    if (c->terminal) {
        int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        char name[128];
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0 || ::ptsname_r(master, name, sizeof name) != 0) {
            err = errno;
            if (master >= 0) ::close(master);
        } else {
            slave_name = name;
            if (cols > 0 && rows > 0 && cols < 65536 && rows < 65536) {
                struct winsize ws {};
                ws.ws_col = static_cast<unsigned short>(cols);
                ws.ws_row = static_cast<unsigned short>(rows);
                ::ioctl(master, TIOCSWINSZ, &ws);
            }
            c->out_fd = master;
            c->in_fd = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
            set_nonblock(master);
        }
    } else {
        int in[2], out[2], errp[2];
        if (::pipe2(in, O_CLOEXEC) != 0) err = errno;
        else if (::pipe2(out, O_CLOEXEC) != 0) { err = errno; ::close(in[0]); ::close(in[1]); }
        else if (::pipe2(errp, O_CLOEXEC) != 0) { err = errno; ::close(in[0]); ::close(in[1]); ::close(out[0]); ::close(out[1]); }
        else {
            child_in = in[0]; c->in_fd = in[1];
            child_out = out[1]; c->out_fd = out[0];
            child_err = errp[1]; c->err_fd = errp[0];
            set_nonblock(c->in_fd);
            set_nonblock(c->out_fd);
            set_nonblock(c->err_fd);
        }
    }
    if (err) return send(MsgType::ExecError, id, Writer().u32(static_cast<uint32_t>(err)).str("creating the command's stdio").take());

    // argv and envp as C arrays, built before fork (no allocation in the child).
    std::vector<char*> cargv, cenv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    const char* dir = cwd.empty() ? "/root" : cwd.c_str();
    bool fallback_root = cwd.empty();
    bool am_root = ::geteuid() == 0;

    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0)
        return send(MsgType::ExecError, id, Writer().u32(static_cast<uint32_t>(errno)).str("creating a pipe").take());
    pid_t pid = ::fork();
    if (pid == 0) {
        // The child: a new session, its stdio, cwd and credentials, then the command. Failures
        // go back as an errno on the report pipe (closed on exec when all went well).
        auto fail = [&](int e, int stage) {
            int msg[2] = {e, stage};
            (void)!::write(report[1], msg, sizeof msg);
            ::_exit(127);
        };
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
        if (::setsid() < 0) fail(errno, kStageSession);
        if (!slave_name.empty()) {
            int slave = ::open(slave_name.c_str(), O_RDWR);
            if (slave < 0) fail(errno, kStageTerminal);
            if (::ioctl(slave, TIOCSCTTY, 0) != 0) fail(errno, kStageTerminal);
            child_in = child_out = child_err = slave;
        }
        if (::dup2(child_in, 0) < 0 || ::dup2(child_out, 1) < 0 || ::dup2(child_err, 2) < 0) fail(errno, kStageStdio);
        if (::chdir(dir) != 0) {
            if (!fallback_root || ::chdir("/") != 0) fail(errno, kStageCwd);
        }
        if (am_root) {
            if (::setgroups(0, nullptr) != 0) fail(errno, kStageCredentials);
            if (::setgid(gid) != 0) fail(errno, kStageCredentials);
            if (::setuid(uid) != 0) fail(errno, kStageCredentials);
        } else if (uid != ::getuid() || gid != ::getgid()) {
            fail(EPERM, kStageCredentials);
        }
        environ = cenv.data();
        ::execvp(cargv[0], cargv.data());
        fail(errno, kStageExec);
    }
    int fork_err = pid < 0 ? errno : 0;
    ::close(report[1]);
    if (child_in >= 0) ::close(child_in);
    if (child_out >= 0) ::close(child_out);
    if (child_err >= 0) ::close(child_err);
    if (fork_err) {
        ::close(report[0]);
        return send(MsgType::ExecError, id, Writer().u32(static_cast<uint32_t>(fork_err)).str("forking").take());
    }
    int child_report[2] = {0, 0};
    ssize_t n;
    do n = ::read(report[0], child_report, sizeof child_report); while (n < 0 && errno == EINTR);
    ::close(report[0]);
    if (n == sizeof child_report) {
        // It never ran: reap it now (it exits at once) so reap() does not report it.
        ::waitpid(pid, nullptr, 0);
        std::string what;
        switch (child_report[1]) {
        case kStageSession: what = "starting a session"; break;
        case kStageTerminal: what = "opening the terminal " + slave_name; break;
        case kStageStdio: what = "setting up stdio"; break;
        case kStageCwd: what = std::string("changing to the directory ") + dir; break;
        case kStageCredentials: what = "switching to uid " + std::to_string(uid) + " gid " + std::to_string(gid); break;
        default: break;  // the exec itself
        }
        return send(MsgType::ExecError, id, Writer().u32(static_cast<uint32_t>(child_report[0])).str(what).take());
    }
    c->pid = pid;
    pids_[pid] = id;
    channels_[id] = std::move(c);
    send(MsgType::ExecStarted, id);
}

void Agent::reap() {
    signalfd_siginfo info;
    while (::read(sigchld_fd_, &info, sizeof info) > 0) {
    }
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break;
        auto p = pids_.find(pid);
        if (p == pids_.end()) continue;
        uint32_t id = p->second;
        pids_.erase(p);
        auto it = channels_.find(id);
        if (it == channels_.end() || it->second->pid != pid) continue;  // of a dropped session
        Channel& c = *it->second;
        c.exited = true;
        c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        // A pty's last output may still be on its way through the line discipline: read until
        // EIO (no slave left) or briefly past the exit when a background process keeps it.
        c.drain_until = Clock::now() + std::chrono::milliseconds(c.terminal ? 200 : 0);
    }
}

void Agent::service_exec(Channel& c) {
    // Host data to the command's stdin.
    while (c.in_fd >= 0 && !c.in_buf.empty()) {
        ssize_t n = ::write(c.in_fd, c.in_buf.data(), c.in_buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) {  // the command closed its stdin: what is left is dropped (and credited)
            send(MsgType::Credit, c.id, Writer().u32(static_cast<uint32_t>(c.in_buf.size())).take());
            c.in_buf.clear();
            close_fd(c.in_fd);
            break;
        }
        c.in_buf.erase(0, static_cast<size_t>(n));
        send(MsgType::Credit, c.id, Writer().u32(static_cast<uint32_t>(n)).take());
    }
    if (c.in_eof && c.in_buf.empty() && c.in_fd >= 0) {
        if (c.terminal) {
            // A terminal's input ends with its EOF character, not by closing (that hangs it up).
            struct termios t {};
            char eof = ::tcgetattr(c.out_fd, &t) == 0 ? static_cast<char>(t.c_cc[VEOF]) : '\x04';
            (void)!::write(c.in_fd, &eof, 1);
        }
        close_fd(c.in_fd);
    }
    // The command's output to the host, within the window.
    for (int* fd : {&c.out_fd, &c.err_fd}) {
        MsgType type = fd == &c.out_fd ? MsgType::Stdout : MsgType::Stderr;
        while (*fd >= 0 && c.credit > 0 && output_room()) {
            char buf[kChunk];
            ssize_t n = ::read(*fd, buf, std::min<size_t>(sizeof buf, c.credit));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) {
                if (c.exited && Clock::now() >= c.drain_until) close_fd(*fd);  // rest is a background process's
                break;
            }
            if (n <= 0) {  // EOF, or EIO of a pty without slave
                close_fd(*fd);
                if (c.terminal) close_fd(c.in_fd);
                break;
            }
            c.credit -= static_cast<uint32_t>(n);
            send(type, c.id, std::string_view(buf, static_cast<size_t>(n)));
            if (c.exited) {
                c.drain_left -= std::min(c.drain_left, static_cast<size_t>(n));
                if (c.drain_left == 0) {
                    close_fd(c.out_fd);
                    close_fd(c.err_fd);
                }
            }
        }
    }
    if (c.exited && c.out_fd < 0 && c.err_fd < 0) {
        uint32_t id = c.id;
        send(MsgType::Exit, id, Writer().i32(c.exit_code).take());
        channels_.erase(id);
    }
}

void Agent::service_read(Channel& c) {
    while (c.credit > 0 && output_room()) {
        char buf[kChunk];
        ssize_t n = ::read(c.file_fd, buf, std::min<size_t>(sizeof buf, c.credit));
        if (n < 0 && errno == EINTR) continue;
        uint32_t id = c.id;
        if (n < 0) {
            std::string path = c.path;
            int err = errno;
            channels_.erase(id);
            return send_error(id, err, "reading " + path);
        }
        if (n == 0) {
            channels_.erase(id);
            return send(MsgType::Done, id);
        }
        c.credit -= static_cast<uint32_t>(n);
        send(MsgType::Data, id, std::string_view(buf, static_cast<size_t>(n)));
    }
}

void Agent::service() {
    reap();
    std::vector<uint32_t> ids;
    for (const auto& [id, c] : channels_) ids.push_back(id);
    for (uint32_t id : ids) {
        auto it = channels_.find(id);
        if (it == channels_.end()) continue;
        if (it->second->kind == Kind::Exec) service_exec(*it->second);
        else if (it->second->kind == Kind::Read) service_read(*it->second);
    }
}

int Agent::prepare_poll(std::vector<pollfd>& fds) {
    fds.push_back({sigchld_fd_, POLLIN, 0});
    int timeout = -1;
    auto now = Clock::now();
    for (const auto& [id, c] : channels_) {
        if (c->kind == Kind::Read && c->credit > 0 && output_room()) timeout = 0;
        if (c->kind != Kind::Exec) continue;
        if (c->in_fd >= 0 && (!c->in_buf.empty() || c->in_eof)) fds.push_back({c->in_fd, POLLOUT, 0});
        bool want_out = c->credit > 0 && output_room();
        if (want_out && c->out_fd >= 0) fds.push_back({c->out_fd, POLLIN, 0});
        if (want_out && c->err_fd >= 0) fds.push_back({c->err_fd, POLLIN, 0});
        if (c->exited && want_out && (c->out_fd >= 0 || c->err_fd >= 0)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c->drain_until - now).count();
            int t = static_cast<int>(std::max<long long>(left, 0) + 1);
            timeout = timeout < 0 ? t : std::min(timeout, t);
        }
    }
    return timeout;
}

}  // namespace vmagent
