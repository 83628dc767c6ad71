#include "instance/drivers/qemu/agent_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <optional>

#include "libinstance/error.hpp"
#include "sys/unix_socket.hpp"

namespace li {

using vmagent::MsgType;
using Clock = std::chrono::steady_clock;

// One call (channel): the frames the reader thread routed to it, and an eventfd that wakes the
// calling thread's poll.
struct VmAgentClient::Call {
    uint32_t id = 0;
    std::mutex mutex;
    std::deque<vmagent::Frame> inbox;
    size_t inbox_data = 0;  // bulk bytes queued: within the window the call credits as it consumes
    bool broken = false;
    UniqueFd wake{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};

    static bool bulk(MsgType t) { return t == MsgType::Stdout || t == MsgType::Stderr || t == MsgType::Data; }

    /// Queues a frame for the calling thread; a guest sending data past its window is refused.
    void push(vmagent::Frame f) {
        {
            std::lock_guard lock(mutex);
            if (bulk(f.type)) {
                inbox_data += f.payload.size();
                if (inbox_data > vmagent::kWindow) throw vmagent::ProtocolError("data past the flow-control window");
            }
            inbox.push_back(std::move(f));
        }
        notify();
    }
    void notify() {
        uint64_t one = 1;
        (void)!::write(wake.get(), &one, sizeof one);
    }
    void clear_wake() {
        uint64_t v;
        (void)!::read(wake.get(), &v, sizeof v);
    }
    /// The next frame if one is there; nullopt else. Throws nothing: broken is checked by callers.
    std::optional<vmagent::Frame> try_pop(bool& is_broken) {
        std::lock_guard lock(mutex);
        is_broken = broken && inbox.empty();
        if (inbox.empty()) return std::nullopt;
        vmagent::Frame f = std::move(inbox.front());
        inbox.pop_front();
        if (bulk(f.type)) inbox_data -= f.payload.size();
        return f;
    }
};

namespace {

// A guest errno and the agent's "what path" as an li::Error naming the path.
Error guest_error(int err, const std::string& what) {
    std::string message = fmt::format("{} in the VM", what);
    if (err == ENOTEMPTY) return Error(ErrorCode::Conflict, fmt::format("{}: the directory is not empty", message), "path", err);
    if (err == EISDIR) return Error(ErrorCode::Conflict, fmt::format("{}: it is a directory", message), "path", err);
    Error e = Error::from_errno(message, err);
    return Error(e.code(), e.what(), "path", err);
}

uint32_t has_flags(const FileOptions& o) {
    return (o.uid ? vmagent::kHasUid : 0) | (o.gid ? vmagent::kHasGid : 0) | (o.mode ? vmagent::kHasMode : 0) |
           (o.create_parents ? vmagent::kCreateParents : 0);
}

vmagent::Writer& put_options(vmagent::Writer& w, const FileOptions& o) {
    return w.u32(has_flags(o)).u32(o.uid.value_or(0)).u32(o.gid.value_or(0)).u32(o.mode.value_or(0));
}

void check_path(const std::string& path, const char* key = "path") {
    if (path.empty() || path[0] != '/') throw Error::invalid(key, fmt::format("\"{}\" is not an absolute path", path));
    if (path.find('\0') != std::string::npos) throw Error::invalid(key, fmt::format("\"{}\" holds a NUL byte", path));
    if (path.size() > vmagent::kMaxPath) throw Error::invalid(key, fmt::format("path over {} bytes", vmagent::kMaxPath));
}

void write_all(int fd, const char* data, size_t size, const char* what) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno(what, errno);
        data += n;
        size -= static_cast<size_t>(n);
    }
}

bool send_all(int fd, const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

// A terminal switched to raw mode for the call's duration.
struct RawMode {
    int fd = -1;
    termios saved{};
    explicit RawMode(int tty) {
        if (::tcgetattr(tty, &saved) != 0) return;
        termios raw = saved;
        ::cfmakeraw(&raw);
        if (::tcsetattr(tty, TCSANOW, &raw) == 0) fd = tty;
    }
    ~RawMode() {
        if (fd >= 0) ::tcsetattr(fd, TCSANOW, &saved);
    }
};

std::optional<winsize> window_size(int fd) {
    winsize ws{};
    if (fd >= 0 && ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) return ws;
    return std::nullopt;
}

}  // namespace

// A malformed answer from the agent (the reader thread checks frames, the calls their payloads).
Error VmAgentClient::bad_answer(const vmagent::ProtocolError& e) const {
    return Error(ErrorCode::Backend, fmt::format("the VM agent at {} sent a malformed answer: {}", socket_path_.string(), e.what()), "agent");
}

VmAgentClient::~VmAgentClient() {
    close();
    if (reader_.joinable()) reader_.join();
}

void VmAgentClient::close() {
    if (fd_) ::shutdown(fd_.get(), SHUT_RDWR);  // the reader sees the end and fails the calls
}

std::string VmAgentClient::broken_why() const {
    std::lock_guard lock(calls_mutex_);
    return broken_why_.empty() ? "closed" : broken_why_;
}

void VmAgentClient::throw_broken() const {
    throw Error(ErrorCode::Backend,
                fmt::format("the connection to the VM agent at {} is lost ({})", socket_path_.string(), broken_why()), "agent");
}

void VmAgentClient::connect(const std::filesystem::path& socket_path, std::chrono::milliseconds timeout) try {
    if (fd_) throw Error(ErrorCode::Internal, "VmAgentClient::connect called twice");
    socket_path_ = socket_path;
    auto deadline = Clock::now() + timeout;
    auto timed_out = [&] {
        return Error(ErrorCode::Timeout,
                     fmt::format("the VM agent at {} did not answer within {} ms (is the guest booted?)",
                                 socket_path.string(), timeout.count()),
                     "agent");
    };
    while (!fd_) {
        if (Clock::now() >= deadline) throw timed_out();
        UniqueFd fd = connect_unix(socket_path);
        if (!fd) {
            if (errno == ENAMETOOLONG) throw Error::invalid("agent", fmt::format("socket path {} is too long", socket_path.string()));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        uint64_t session = 0;
        while (session == 0) {
            if (::getrandom(&session, sizeof session, 0) != sizeof session) throw Error::from_errno("getrandom", errno);
        }
        parser_ = vmagent::FrameParser();
        parser_.hunt(MsgType::HelloAck, session);
        // Zeros first (see protocol.hpp), then the hello; again every second until the agent
        // answers (what the guest's port held when the agent opened it is discarded). Sent without
        // blocking: QEMU reads nothing while the guest has not opened its port, and the deadline
        // holds.
        std::string hello = std::string(vmagent::kSyncRun, '\0') +
                            vmagent::encode_frame(MsgType::Hello, 0, session, vmagent::Writer().u32(vmagent::kProtocolVersion).take());
        ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
        std::optional<vmagent::Frame> ack;
        bool lost = false;
        std::string pending;
        size_t pending_off = 0;
        auto resend = Clock::now();
        while (!ack && !lost && Clock::now() < deadline) {
            if (pending_off == pending.size() && Clock::now() >= resend) {
                pending = hello;
                pending_off = 0;
                resend = Clock::now() + std::chrono::seconds(1);
            }
            auto wait = std::min(deadline, resend) - Clock::now();
            pollfd p{fd.get(), static_cast<short>(POLLIN | (pending_off < pending.size() ? POLLOUT : 0)), 0};
            int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(
                                      std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1, 0)));
            if (n <= 0) continue;
            if (p.revents & POLLOUT) {
                ssize_t w = ::send(fd.get(), pending.data() + pending_off, pending.size() - pending_off, MSG_NOSIGNAL);
                if (w > 0) pending_off += static_cast<size_t>(w);
                else if (w < 0 && errno != EAGAIN && errno != EINTR) lost = true;
            }
            if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            ssize_t r = ::read(fd.get(), buf, sizeof buf);
            if (r <= 0) {
                lost = r == 0 || (errno != EINTR && errno != EAGAIN);
                continue;
            }
            parser_.append(buf, static_cast<size_t>(r));
            ack = parser_.next();
        }
        if (!ack) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        // Back to blocking sends; a hello sent in part is finished (the agent reads now).
        ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
        if (!send_all(fd.get(), pending.substr(pending_off))) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        vmagent::Reader r(ack->payload);
        uint32_t version = r.u32();
        agent_version_ = r.str(256);
        if (version != vmagent::kProtocolVersion)
            throw Error(ErrorCode::NotSupported,
                        fmt::format("the VM agent at {} speaks protocol {} (this library: {})", socket_path.string(),
                                    version, vmagent::kProtocolVersion),
                        "agent");
        session_ = session;
        fd_ = std::move(fd);
    }
    reader_ = std::thread([this] { read_loop(); });
    ping();
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

void VmAgentClient::fail_all(const std::string& why) {
    std::map<uint32_t, std::shared_ptr<Call>> calls;
    {
        std::lock_guard lock(calls_mutex_);
        broken_why_ = why;
        broken_ = true;
        calls = calls_;
    }
    for (auto& [id, c] : calls) {
        {
            std::lock_guard lock(c->mutex);
            c->broken = true;
        }
        c->notify();
    }
}

void VmAgentClient::read_loop() {
    std::vector<char> buf(256 * 1024);
    try {
        for (;;) {
            while (auto f = parser_.next()) {
                if (f->type == MsgType::HelloAck) continue;  // of a hello resent before the first ack
                std::shared_ptr<Call> c;
                {
                    std::lock_guard lock(calls_mutex_);
                    auto it = calls_.find(f->channel);
                    if (it != calls_.end()) c = it->second;
                }
                if (c) c->push(std::move(*f));  // else: a call that ended already
            }
            ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            parser_.append(buf.data(), static_cast<size_t>(n));
        }
        fail_all("connection closed");
    } catch (const vmagent::ProtocolError& e) {
        ::shutdown(fd_.get(), SHUT_RDWR);
        fail_all(e.what());
    }
}

std::shared_ptr<VmAgentClient::Call> VmAgentClient::open_call() {
    if (!fd_) throw Error(ErrorCode::Internal, "VmAgentClient used before connect");
    auto c = std::make_shared<Call>();
    if (!c->wake) throw Error::from_errno("eventfd", errno);
    std::lock_guard lock(calls_mutex_);
    if (broken_) throw_broken();
    do c->id = next_id_.fetch_add(1);
    while (c->id == 0 || calls_.count(c->id));
    calls_[c->id] = c;
    return c;
}

void VmAgentClient::end_call(uint32_t id) {
    std::lock_guard lock(calls_mutex_);
    calls_.erase(id);
}

void VmAgentClient::send(MsgType type, uint32_t channel, std::string_view payload) {
    std::string bytes = vmagent::encode_frame(type, channel, session_, payload);
    std::lock_guard lock(send_mutex_);
    if (broken_ || !send_all(fd_.get(), bytes)) throw_broken();
}

namespace {

// Removes the call from the table when the calling function leaves; abandons it at the agent
// (kills its command, drops its write) when it leaves early.
struct CallScope {
    VmAgentClient& client;
    std::shared_ptr<VmAgentClient::Call> call;
    std::function<void()> end;
    bool finished = false;
    ~CallScope() { end(); }
};

// Blocks until the call's next frame; Backend when the connection broke.
template <class Broken>
vmagent::Frame wait_frame(VmAgentClient::Call& c, Broken&& broken) {
    for (;;) {
        bool is_broken = false;
        if (auto f = c.try_pop(is_broken)) return std::move(*f);
        if (is_broken) broken();
        pollfd p{c.wake.get(), POLLIN, 0};
        ::poll(&p, 1, -1);
        c.clear_wake();
    }
}

}  // namespace

std::string VmAgentClient::ping() try {
    auto c = open_call();
    CallScope scope{*this, c, [&] { end_call(c->id); }};
    send(MsgType::Ping, c->id);
    vmagent::Frame f = wait_frame(*c, [&] { throw_broken(); });
    if (f.type != MsgType::Pong) throw Error(ErrorCode::Backend, "the VM agent did not answer the ping", "agent");
    vmagent::Reader r(f.payload);
    return r.str(256);
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

ExecResult VmAgentClient::exec(const std::vector<std::string>& argv, const ExecOptions& opts) try {
    if (argv.empty() || argv.front().empty()) throw Error::invalid("command", "no command given");
    for (const auto& kv : opts.env) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error::invalid("env", fmt::format("environment entry \"{}\" is not KEY=VALUE", kv));
    }
    const std::string& program = argv.front();
    int tty = opts.terminal && opts.stdin_fd >= 0 && ::isatty(opts.stdin_fd) ? opts.stdin_fd : -1;
    std::optional<winsize> size = window_size(tty);
    if (!size && opts.terminal) size = window_size(opts.stdout_fd);

    vmagent::Writer w;
    w.list(argv).list(opts.env).str(opts.cwd).u32(opts.uid).u32(opts.gid);
    w.u32(opts.terminal ? vmagent::kExecTerminal : 0).u32(size ? size->ws_col : 0).u32(size ? size->ws_row : 0);
    if (w.data().size() > vmagent::kMaxPayload)
        throw Error::invalid("command", fmt::format("the command line and environment exceed {} bytes", vmagent::kMaxPayload));

    auto c = open_call();
    bool finished = false;
    // The signal function given to on_signal_ready: it does nothing once exec() returned.
    struct SignalState {
        std::mutex mutex;
        bool done = false;
    };
    auto signal_state = std::make_shared<SignalState>();
    CallScope scope{*this, c, [&] {
                        {
                            std::lock_guard lock(signal_state->mutex);
                            signal_state->done = true;
                        }
                        if (!finished) {
                            try {
                                send(MsgType::Close, c->id);
                            } catch (const Error&) {
                            }
                        }
                        end_call(c->id);
                    }};
    auto broken = [&] {
        throw Error(ErrorCode::Backend,
                    fmt::format("running \"{}\": the connection to the VM agent at {} was lost ({})", program,
                                socket_path_.string(), broken_why()),
                    "agent");
    };
    send(MsgType::Exec, c->id, w.data());

    vmagent::Frame first = wait_frame(*c, broken);
    if (first.type == MsgType::ExecError) {
        finished = true;
        vmagent::Reader r(first.payload);
        int err = static_cast<int>(r.u32());
        std::string what = r.str(vmagent::kMaxPath + 256);
        if (!what.empty()) {
            Error e = Error::from_errno(fmt::format("running \"{}\" in the instance: {}", program, what), err);
            throw Error(e.code(), e.what(), what.rfind("changing to", 0) == 0 ? "cwd" : "command", err);
        }
        if (err == ENOENT)
            throw Error(ErrorCode::NotFound, fmt::format("command \"{}\" not found in the instance", program), "command", err);
        throw Error::from_errno(fmt::format("executing \"{}\" in the instance", program), err);
    }
    if (first.type == MsgType::Error) {
        finished = true;
        vmagent::Reader r(first.payload);
        int err = static_cast<int>(r.u32());
        throw Error::from_errno(fmt::format("running \"{}\": {}", program, r.str()), err);
    }
    if (first.type != MsgType::ExecStarted)
        throw Error(ErrorCode::Backend, fmt::format("running \"{}\": unexpected answer from the VM agent", program), "agent");

    if (opts.on_signal_ready) {
        uint32_t id = c->id;
        opts.on_signal_ready([this, id, signal_state](int sig) {
            std::lock_guard lock(signal_state->mutex);
            if (signal_state->done) return;
            try {
                send(MsgType::Signal, id, vmagent::Writer().u32(static_cast<uint32_t>(sig)).take());
            } catch (const Error&) {
            }
        });
    }

    std::optional<RawMode> raw;
    if (tty >= 0) raw.emplace(tty);
    ExecResult result;
    uint32_t credit = vmagent::kWindow;
    size_t data_off = 0;
    bool stdin_done = false;
    if (opts.stdin_fd < 0 && !opts.stdin_data) {
        send(MsgType::StdinEof, c->id);
        stdin_done = true;
    }
    std::vector<char> buf(vmagent::kChunk);
    for (;;) {
        // Stdin to the guest, within the window.
        if (!stdin_done && opts.stdin_fd < 0) {
            const std::string& data = *opts.stdin_data;
            while (credit > 0 && data_off < data.size()) {
                size_t n = std::min<size_t>({data.size() - data_off, credit, vmagent::kChunk});
                send(MsgType::Stdin, c->id, std::string_view(data).substr(data_off, n));
                data_off += n;
                credit -= static_cast<uint32_t>(n);
            }
            if (data_off == data.size()) {
                send(MsgType::StdinEof, c->id);
                stdin_done = true;
            }
        }
        // Frames from the guest.
        bool is_broken = false;
        bool exited = false;
        while (auto f = c->try_pop(is_broken)) {
            switch (f->type) {
            case MsgType::Stdout:
            case MsgType::Stderr: {
                bool out = f->type == MsgType::Stdout;
                int fd = out ? opts.stdout_fd : opts.stderr_fd;
                if (fd >= 0) write_all(fd, f->payload.data(), f->payload.size(), out ? "writing the command's stdout" : "writing the command's stderr");
                else (out ? result.stdout_data : result.stderr_data) += f->payload;
                send(MsgType::Credit, c->id, vmagent::Writer().u32(static_cast<uint32_t>(f->payload.size())).take());
                break;
            }
            case MsgType::Credit:
                credit += vmagent::Reader(f->payload).u32();
                break;
            case MsgType::Exit:
                result.exit_code = vmagent::Reader(f->payload).i32();
                exited = true;
                break;
            case MsgType::Error: {
                finished = true;
                vmagent::Reader r(f->payload);
                int err = static_cast<int>(r.u32());
                throw Error::from_errno(fmt::format("running \"{}\": {}", program, r.str()), err);
            }
            default:
                throw Error(ErrorCode::Backend, fmt::format("running \"{}\": unexpected frame from the VM agent", program), "agent");
            }
            if (exited) break;
        }
        if (exited) {
            finished = true;
            return result;
        }
        if (is_broken) broken();
        // Wait for frames, stdin or (terminal) a size change.
        pollfd p[2] = {{c->wake.get(), POLLIN, 0}, {-1, POLLIN, 0}};
        bool want_stdin = !stdin_done && opts.stdin_fd >= 0 && credit > 0;
        if (want_stdin) p[1].fd = opts.stdin_fd;
        int n = ::poll(p, 2, tty >= 0 ? 250 : -1);
        if (n < 0 && errno != EINTR) throw Error::from_errno("waiting for the VM agent", errno);
        if (p[0].revents) c->clear_wake();
        if (want_stdin && p[1].revents) {
            ssize_t r = ::read(opts.stdin_fd, buf.data(), std::min<size_t>(buf.size(), credit));
            if (r > 0) {
                send(MsgType::Stdin, c->id, std::string_view(buf.data(), static_cast<size_t>(r)));
                credit -= static_cast<uint32_t>(r);
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {  // EIO: a pty whose master closed
                send(MsgType::StdinEof, c->id);
                stdin_done = true;
            }
        }
        if (tty >= 0) {
            auto now_size = window_size(tty);
            if (now_size && (!size || now_size->ws_col != size->ws_col || now_size->ws_row != size->ws_row)) {
                size = now_size;
                send(MsgType::Winsize, c->id, vmagent::Writer().u32(size->ws_col).u32(size->ws_row).take());
            }
        }
    }
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

FileInfo VmAgentClient::stat(const std::string& path) try {
    check_path(path);
    auto c = open_call();
    bool finished = false;
    CallScope scope{*this, c, [&] {
                        if (!finished) try { send(MsgType::Close, c->id); } catch (const Error&) {}
                        end_call(c->id);
                    }};
    auto broken = [&] { throw Error(ErrorCode::Backend, fmt::format("stat {}: the connection to the VM agent was lost ({})", path, broken_why()), "agent"); };
    send(MsgType::Stat, c->id, vmagent::Writer().str(path).take());
    FileInfo info;
    size_t entry_bytes = 0;
    for (;;) {
        vmagent::Frame f = wait_frame(*c, broken);
        vmagent::Reader r(f.payload);
        switch (f.type) {
        case MsgType::Error: {
            finished = true;
            int err = static_cast<int>(r.u32());
            throw guest_error(err, r.str());
        }
        case MsgType::StatResult: {
            auto type = static_cast<vmagent::FileType>(r.u32());
            info.uid = r.u32();
            info.gid = r.u32();
            info.mode = r.u32() & 07777;
            info.size = r.u64();
            info.target = r.str(vmagent::kMaxString);
            if (type == vmagent::FileType::File) info.type = "file";
            else if (type == vmagent::FileType::Directory) info.type = "directory";
            else if (type == vmagent::FileType::Symlink) info.type = "symlink";
            else {
                // The call still ends with Done: wait for it before throwing.
                info.type.clear();
            }
            break;
        }
        case MsgType::Entries:
            for (auto& e : r.list()) {
                entry_bytes += e.size();
                if (entry_bytes > 64u * 1024 * 1024) throw Error(ErrorCode::Backend, fmt::format("{}: too many directory entries", path), "path");
                info.entries.push_back(std::move(e));
            }
            break;
        case MsgType::Done:
            finished = true;
            if (info.type.empty())
                throw Error(ErrorCode::NotSupported, fmt::format("{} in the VM is neither a file, a directory nor a symlink", path), "path");
            return info;
        default:
            throw Error(ErrorCode::Backend, fmt::format("stat {}: unexpected frame from the VM agent", path), "agent");
        }
    }
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

void VmAgentClient::read_file(const std::string& path, int out_fd) try {
    check_path(path);
    auto c = open_call();
    bool finished = false;
    CallScope scope{*this, c, [&] {
                        if (!finished) try { send(MsgType::Close, c->id); } catch (const Error&) {}
                        end_call(c->id);
                    }};
    auto broken = [&] { throw Error(ErrorCode::Backend, fmt::format("reading {}: the connection to the VM agent was lost ({})", path, broken_why()), "agent"); };
    send(MsgType::Read, c->id, vmagent::Writer().str(path).take());
    std::string what = fmt::format("writing the content of {}", path);
    for (;;) {
        vmagent::Frame f = wait_frame(*c, broken);
        switch (f.type) {
        case MsgType::Data:
            write_all(out_fd, f.payload.data(), f.payload.size(), what.c_str());
            send(MsgType::Credit, c->id, vmagent::Writer().u32(static_cast<uint32_t>(f.payload.size())).take());
            break;
        case MsgType::Done:
            finished = true;
            return;
        case MsgType::Error: {
            finished = true;
            vmagent::Reader r(f.payload);
            int err = static_cast<int>(r.u32());
            throw guest_error(err, r.str());
        }
        default:
            throw Error(ErrorCode::Backend, fmt::format("reading {}: unexpected frame from the VM agent", path), "agent");
        }
    }
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

void VmAgentClient::write_file(const std::string& path, int in_fd, const FileOptions& opts) try {
    check_path(path);
    auto c = open_call();
    bool finished = false;
    CallScope scope{*this, c, [&] {
                        if (!finished) try { send(MsgType::Close, c->id); } catch (const Error&) {}
                        end_call(c->id);
                    }};
    auto broken = [&] { throw Error(ErrorCode::Backend, fmt::format("writing {}: the connection to the VM agent was lost ({})", path, broken_why()), "agent"); };
    vmagent::Writer w;
    w.str(path);
    put_options(w, opts);
    send(MsgType::Write, c->id, w.data());
    auto handle = [&](vmagent::Frame& f, uint32_t& credit) {
        vmagent::Reader r(f.payload);
        if (f.type == MsgType::Credit) {
            credit += r.u32();
            return;
        }
        if (f.type == MsgType::Error) {
            finished = true;
            int err = static_cast<int>(r.u32());
            throw guest_error(err, r.str());
        }
        throw Error(ErrorCode::Backend, fmt::format("writing {}: unexpected frame from the VM agent", path), "agent");
    };
    uint32_t credit = vmagent::kWindow;
    vmagent::Frame ready = wait_frame(*c, broken);
    if (ready.type != MsgType::Ready) handle(ready, credit);
    std::vector<char> buf(vmagent::kChunk);
    for (;;) {
        bool is_broken = false;
        while (auto f = c->try_pop(is_broken)) handle(*f, credit);
        if (is_broken) broken();
        if (credit == 0) {
            vmagent::Frame f = wait_frame(*c, broken);
            handle(f, credit);
            continue;
        }
        ssize_t n = ::read(in_fd, buf.data(), std::min<size_t>(buf.size(), credit));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno(fmt::format("reading the content for {}", path), errno);
        if (n == 0) break;
        send(MsgType::Data, c->id, std::string_view(buf.data(), static_cast<size_t>(n)));
        credit -= static_cast<uint32_t>(n);
    }
    send(MsgType::Done, c->id);
    for (;;) {
        vmagent::Frame f = wait_frame(*c, broken);
        if (f.type == MsgType::Done) {
            finished = true;
            return;
        }
        handle(f, credit);
    }
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

// A call answered by Done, or by Error with the guest's errno.
void VmAgentClient::call_done(MsgType type, std::string_view payload) try {
    auto c = open_call();
    CallScope scope{*this, c, [&] { end_call(c->id); }};
    send(type, c->id, payload);
    vmagent::Frame f = wait_frame(*c, [&] { throw_broken(); });
    if (f.type == MsgType::Done) return;
    vmagent::Reader r(f.payload);
    if (f.type != MsgType::Error) throw Error(ErrorCode::Backend, "unexpected frame from the VM agent", "agent");
    int err = static_cast<int>(r.u32());
    throw guest_error(err, r.str());
} catch (const vmagent::ProtocolError& e) {
    throw bad_answer(e);
}

void VmAgentClient::mkdir(const std::string& path, const FileOptions& opts) {
    check_path(path);
    vmagent::Writer w;
    w.str(path);
    put_options(w, opts);
    call_done(MsgType::Mkdir, w.data());
}

void VmAgentClient::symlink(const std::string& path, const std::string& target, const FileOptions& opts) {
    check_path(path);
    if (target.empty() || target.find('\0') != std::string::npos || target.size() > vmagent::kMaxPath)
        throw Error::invalid("target", fmt::format("symlink target \"{}\" is empty, too long or holds a NUL byte", target));
    vmagent::Writer w;
    w.str(path).str(target);
    put_options(w, opts);
    call_done(MsgType::Symlink, w.data());
}

void VmAgentClient::remove(const std::string& path) {
    check_path(path);
    call_done(MsgType::Remove, vmagent::Writer().str(path).take());
}

}  // namespace li
