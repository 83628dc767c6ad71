#include "network/dnsmasq.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/log.hpp"
#include "core/names.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace li::net {

// ---- static hosts ------------------------------------------------------------------------------

void set_static_host(const fs::path& hosts_dir, const StaticHost& host) {
    if (host.instance.empty() || host.device.empty() || host.hwaddr.empty())
        throw Error::invalid("hwaddr", "a static DHCP host needs an instance, a device and a MAC address");
    std::string dns_name = host.project == "default" ? host.instance : host.instance + "." + host.project;
    std::string line = dnsmasq_host_line(host.hwaddr, host.ipv4, host.ipv6, host.register_name ? dns_name : "");
    fs::path file = hosts_dir / dnsmasq_host_file_name(project_prefixed_name(host.project, host.instance), host.device);
    if (line.empty()) {
        std::error_code ec;
        fs::remove(file, ec);
        return;
    }
    fs::create_directories(hosts_dir);
    // Readable by dnsmasq after it dropped root.
    write_file_atomic(file, line + "\n", 0644);
}

void remove_static_host(const fs::path& hosts_dir, const std::string& instance, const std::string& device,
                        const std::string& project) {
    std::error_code ec;
    fs::remove(hosts_dir / dnsmasq_host_file_name(project_prefixed_name(project, instance), device), ec);
}

// ---- leases ------------------------------------------------------------------------------------

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    return out;
}

std::vector<std::string> fields_of(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    std::string f;
    while (in >> f) out.push_back(f);
    return out;
}

bool is_ip(const std::string& s, int af) {
    unsigned char buf[16];
    return ::inet_pton(af, s.c_str(), buf) == 1;
}

bool looks_like_mac(const std::string& s) {
    return s.size() == 17 && std::count(s.begin(), s.end(), ':') == 5;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string read_small(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

std::vector<api::NetworkLease> read_leases(const fs::path& dir) {
    std::vector<api::NetworkLease> leases;
    std::map<std::string, std::string> instance_of_mac;

    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir / "dnsmasq.hosts", ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file()) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::string name = file.filename().string();
        if (name.starts_with(".")) continue;  // write_file_atomic's temporaries
        std::string instance = name.substr(0, name.find('.'));
        std::string content = read_small(file);
        while (!content.empty() && (content.back() == '\n' || content.back() == ' ')) content.pop_back();
        auto parts = split(content, ',');
        if (parts.empty() || parts[0].empty()) continue;
        std::string mac = lower(parts[0]);
        instance_of_mac[mac] = instance;
        for (size_t i = 1; i < parts.size(); i++) {
            std::string p = parts[i];
            if (p.size() > 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
            if (is_ip(p, AF_INET) || is_ip(p, AF_INET6))
                leases.push_back(api::NetworkLease{instance, mac, p, "static", "none"});
        }
    }

    // dnsmasq.leases lines: "EXPIRY MAC IPV4 HOSTNAME CLIENTID" for IPv4; after a "duid SERVER"
    // line, "EXPIRY IAID IPV6 HOSTNAME CLIENT-DUID" for IPv6 (the MAC is the DUID's tail).
    std::istringstream in(read_small(dir / "dnsmasq.leases"));
    std::string line;
    while (std::getline(in, line)) {
        auto f = fields_of(line);
        if (f.size() < 5 || f[0] == "duid") continue;
        std::string mac = lower(f[1]);
        if (!looks_like_mac(mac)) mac = f[4].size() >= 17 ? lower(f[4].substr(f[4].size() - 17)) : "";
        const std::string& address = f[2];
        bool reserved = std::any_of(leases.begin(), leases.end(), [&](const api::NetworkLease& l) {
            return l.type == "static" && l.hwaddr == mac && l.address == address;
        });
        if (reserved) continue;
        auto owner = instance_of_mac.find(mac);
        std::string hostname = owner != instance_of_mac.end() ? owner->second : f[3] == "*" ? "" : f[3];
        leases.push_back(api::NetworkLease{hostname, mac, address, "dynamic", "none"});
    }
    return leases;
}

// ---- supervisor --------------------------------------------------------------------------------

namespace {

constexpr auto kFirstBackoff = std::chrono::seconds(1);
constexpr auto kMaxBackoff = std::chrono::seconds(30);
// Having run this long, a dnsmasq that dies is restarted after the first backoff again.
constexpr auto kHealthyRun = std::chrono::seconds(30);

int pidfd_open(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// A dnsmasq left by an earlier owner (its pid file survived): ours if its command line is
// dnsmasq's and names this bridge.
pid_t leftover_pid(const fs::path& dir, const std::string& bridge) {
    std::string text = read_small(dir / "dnsmasq.pid");
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(std::stol(text));
    } catch (...) {
        return 0;
    }
    if (pid <= 1) return 0;
    std::string cmdline = read_small(fs::path("/proc") / std::to_string(pid) / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find("dnsmasq") == std::string::npos || cmdline.find("--interface=" + bridge + " ") == std::string::npos)
        return 0;
    return pid;
}

// Whether the process runs exactly argv (its /proc cmdline is argv joined by NULs).
bool runs_argv(pid_t pid, const std::vector<std::string>& argv) {
    std::string want;
    for (const auto& a : argv) want += a + '\0';
    return read_small(fs::path("/proc") / std::to_string(pid) / "cmdline") == want;
}

void kill_leftover(pid_t pid) {
    UniqueFd fd(pidfd_open(pid));
    if (::kill(pid, SIGKILL) != 0) return;
    if (fd) {
        pollfd p{fd.get(), POLLIN, 0};
        ::poll(&p, 1, 2000);
    }
}

// Whether the process has its SIGHUP handler yet (SigCgt in /proc/PID/status): a SIGHUP sent
// before, between exec and dnsmasq's first lines, would kill it.
bool catches_sighup(pid_t pid) {
    std::istringstream in(read_small(fs::path("/proc") / std::to_string(pid) / "status"));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("SigCgt:")) continue;
        try {
            return (std::stoull(line.substr(7), nullptr, 16) & (1ULL << (SIGHUP - 1))) != 0;
        } catch (...) {
            return false;
        }
    }
    return false;
}

bool wait_for_sighup_handler(pid_t pid, std::chrono::milliseconds limit) {
    for (auto end = Clock::now() + limit; Clock::now() < end; std::this_thread::sleep_for(std::chrono::milliseconds(20)))
        if (catches_sighup(pid)) return true;
    return catches_sighup(pid);
}

// The guardian's status, which mirrors dnsmasq's.
std::string exit_text(int status) {
    if (WIFSIGNALED(status)) return fmt::format("guardian killed by signal {}", WTERMSIG(status));
    int code = WEXITSTATUS(status);
    return code > 128 ? fmt::format("signal {}", code - 128) : fmt::format("exit {}", code);
}

}  // namespace

struct DnsmasqSupervisor::State {
    struct Entry {
        DnsmasqConfig config;
        std::vector<std::string> argv;
        bool wanted = true;
        bool starting = false;  // start() is still watching whether it stays up
        bool adopted = false;  // left running by an earlier owner: no guardian, pidfd is dnsmasq's
        pid_t pid = 0;       // dnsmasq
        pid_t guardian = 0;  // its parent, our child (see spawn)
        UniqueFd pidfd;      // the guardian's
        Clock::time_point started_at{};
        Clock::time_point restart_at{};
        Clock::duration backoff{};
        int spawns = 0;
        int exits = 0;
        int restarts = 0;
        std::string spawn_error;
    };

    std::string binary;
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, Entry> entries;
    UniqueFd wake{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
    bool quit = false;

    void poke() {
        uint64_t one = 1;
        (void)!::write(wake.get(), &one, sizeof one);
    }

    // Runs on the watcher thread only: PR_SET_PDEATHSIG ties the guardian to this thread.
    //
    // dnsmasq itself cannot carry a parent-death signal: the kernel clears it when dnsmasq drops
    // root for `nobody`. So a guardian (a fork of ours that only polls) is dnsmasq's parent: it
    // gets SIGUSR2 when the watcher thread ends (the owner crashed or exited), then stops dnsmasq;
    // it exits when dnsmasq exits, with dnsmasq's status (128+N for signal N), which is what the
    // watcher sees. The guardian closes every other fd at once, so it holds no lock of ours.
    // SIGUSR1 tells it to let go: it exits at once and dnsmasq runs on without it (detach()).
    void spawn(const std::string& network, Entry& e) {
        UniqueFd log_fd(::open((e.config.dir / "dnsmasq.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
        int report[2];
        if (::pipe2(report, O_CLOEXEC) != 0) report[0] = report[1] = -1;
        UniqueFd report_read(report[0]), report_write(report[1]);
        std::vector<char*> argv;
        for (auto& a : e.argv) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t parent = ::getpid();
        int log = log_fd ? log_fd.get() : null_fd.get();
        pid_t guardian = report_write ? ::fork() : -1;
        if (guardian == 0) guard(parent, null_fd.get(), log, report_write.get(), argv.data());
        int fork_errno = errno;
        report_write.reset();
        pid_t pid = 0;
        if (guardian > 0 && ::read(report_read.get(), &pid, sizeof pid) != sizeof pid) pid = 0;
        if (guardian < 0 || pid <= 0) {
            if (guardian > 0) ::waitpid(guardian, nullptr, 0);
            e.spawn_error = fmt::format("starting dnsmasq for network \"{}\": {}", network,
                                        guardian < 0 ? std::strerror(fork_errno) : "fork failed");
            e.backoff = std::min<Clock::duration>(std::max<Clock::duration>(e.backoff * 2, kFirstBackoff), kMaxBackoff);
            e.restart_at = Clock::now() + e.backoff;
            log::error(e.spawn_error);
            return;
        }
        if (e.spawns > 0) e.restarts++;
        e.spawns++;
        e.pid = pid;
        e.guardian = guardian;
        e.pidfd.reset(pidfd_open(guardian));
        e.started_at = Clock::now();
        try {
            write_file_atomic(e.config.dir / "dnsmasq.pid", std::to_string(pid) + "\n", 0644);
        } catch (const std::exception& ex) {
            log::warn("recording dnsmasq's pid", {{"network", network}, {"error", ex.what()}});
        }
    }

    // The guardian, in the forked child: only async-signal-safe calls (and exec in its child).
    [[noreturn]] static void guard(pid_t parent, int null_fd, int log_fd, int report_fd, char* const* argv) {
        sigset_t usr2;
        sigemptyset(&usr2);
        sigaddset(&usr2, SIGUSR2);
        sigaddset(&usr2, SIGUSR1);
        ::sigprocmask(SIG_BLOCK, &usr2, nullptr);
        ::prctl(PR_SET_PDEATHSIG, SIGUSR2);
        if (::getppid() != parent) ::_exit(1);
        ::setsid();  // a terminal's Ctrl-C is not for dnsmasq
        ::dup2(null_fd, 0);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        if (::dup2(report_fd, 3) != 3) ::_exit(1);
        ::fcntl(3, F_SETFD, FD_CLOEXEC);
        ::syscall(SYS_close_range, 4, ~0U, 0);
        pid_t dnsmasq = ::fork();
        if (dnsmasq == 0) {
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::signal(SIGPIPE, SIG_DFL);
            ::execvp(argv[0], argv);
            ::_exit(127);
        }
        (void)!::write(3, &dnsmasq, sizeof dnsmasq);
        ::close(3);
        if (dnsmasq < 0) ::_exit(127);
        int sig_fd = ::signalfd(-1, &usr2, SFD_CLOEXEC);
        int child_fd = pidfd_open(dnsmasq);
        bool stopping = false;
        while (true) {
            pollfd fds[2] = {{sig_fd, POLLIN, 0}, {child_fd, POLLIN, 0}};
            int ready = ::poll(fds, 2, stopping ? 5000 : (child_fd < 0 ? 1000 : -1));
            int status = 0;
            if (::waitpid(dnsmasq, &status, WNOHANG) == dnsmasq)
                ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            if (ready == 0 && stopping) ::kill(dnsmasq, SIGKILL);
            if (ready > 0 && (fds[0].revents & POLLIN)) {
                signalfd_siginfo info{};
                if (::read(sig_fd, &info, sizeof info) == sizeof info && info.ssi_signo == SIGUSR1) ::_exit(0);
                ::kill(dnsmasq, SIGTERM);
                stopping = true;
                if (sig_fd >= 0) ::close(sig_fd);
                sig_fd = -1;
            }
        }
    }

    void reaped(const std::string& network, Entry& e, int status) {
        e.pid = 0;
        e.guardian = 0;
        e.adopted = false;
        e.pidfd.reset();
        e.exits++;
        if (e.starting) e.wanted = false;  // start() reports it
        if (!e.wanted) return;
        auto now = Clock::now();
        e.backoff = now - e.started_at >= kHealthyRun
                        ? Clock::duration(kFirstBackoff)
                        : std::min<Clock::duration>(std::max<Clock::duration>(e.backoff * 2, kFirstBackoff), kMaxBackoff);
        e.restart_at = now + e.backoff;
        log::warn("dnsmasq died; starting it again",
                  {{"network", network},
                   {"status", exit_text(status)},
                   {"in_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(e.backoff).count())}});
    }

    void run() {
        std::unique_lock lock(mutex);
        while (true) {
            auto now = Clock::now();
            int timeout = -1;
            std::vector<pollfd> fds{{wake.get(), POLLIN, 0}};
            std::vector<std::string> names{""};
            for (auto& [name, e] : entries) {
                if (e.wanted && e.pid == 0 && !quit) {
                    if (now >= e.restart_at) {
                        spawn(name, e);
                        changed.notify_all();
                    }
                    if (e.pid == 0) {
                        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.restart_at - now).count() + 1;
                        timeout = timeout < 0 ? static_cast<int>(ms) : std::min(timeout, static_cast<int>(ms));
                    }
                }
                if (e.guardian > 0 || e.adopted) {
                    fds.push_back({e.pidfd ? e.pidfd.get() : -1, POLLIN, 0});
                    names.push_back(name);
                    // Without a pidfd, look again every second.
                    if (!e.pidfd) timeout = timeout < 0 ? 1000 : std::min(timeout, 1000);
                }
            }
            if (quit && fds.size() == 1) return;
            lock.unlock();
            ::poll(fds.data(), fds.size(), timeout);
            lock.lock();
            uint64_t drained;
            while (::read(wake.get(), &drained, sizeof drained) > 0) {
            }
            for (size_t i = 1; i < fds.size(); i++) {
                auto it = entries.find(names[i]);
                if (it == entries.end()) continue;
                if (it->second.adopted) {
                    // Not our child: its pidfd turns readable (or it is gone) when it exits.
                    if ((fds[i].revents & POLLIN) || ::kill(it->second.pid, 0) != 0) {
                        reaped(it->first, it->second, 0);
                        changed.notify_all();
                    }
                    continue;
                }
                if (it->second.guardian <= 0) continue;
                int status = 0;
                pid_t r = ::waitpid(it->second.guardian, &status, WNOHANG);
                if (r == it->second.guardian || (r < 0 && errno == ECHILD)) {
                    reaped(it->first, it->second, status);
                    changed.notify_all();
                }
            }
        }
    }
};

DnsmasqSupervisor::DnsmasqSupervisor(std::string binary) : state_(std::make_shared<State>()) {
    state_->binary = std::move(binary);
    if (!state_->wake) throw Error::from_errno("creating an eventfd", errno);
    std::thread([state = state_] { state->run(); }).detach();
}

DnsmasqSupervisor::~DnsmasqSupervisor() {
    try {
        stop_all();
    } catch (const std::exception& e) {
        log::error("stopping dnsmasq", {{"error", e.what()}});
    }
    std::lock_guard lock(state_->mutex);
    state_->quit = true;
    state_->poke();
}

void DnsmasqSupervisor::start(const DnsmasqConfig& config) {
    // Validation first: a bad config changes nothing.
    std::vector<std::string> argv{state_->binary};
    auto args = dnsmasq_args(config);
    argv.insert(argv.end(), args.begin(), args.end());

    {
        // Already running with this very config: nothing to do (the hosts directory is read live).
        std::lock_guard lock(state_->mutex);
        auto it = state_->entries.find(config.network);
        if (it != state_->entries.end() && it->second.pid > 0 && it->second.argv == argv &&
            read_small(config.dir / "dnsmasq.raw") == dnsmasq_raw_conf(config))
            return;
    }
    stop(config.network);
    if (pid_t old = leftover_pid(config.dir, config.bridge); old > 0 && runs_argv(old, argv) &&
        read_small(config.dir / "dnsmasq.raw") == dnsmasq_raw_conf(config) && adopt(config, argv, old))
        return;
    fs::create_directories(config.dir);
    // dnsmasq reads the hosts directory after dropping root.
    ::chmod(config.dir.c_str(), 0711);
    fs::create_directories(config.dir / "dnsmasq.hosts");
    ::chmod((config.dir / "dnsmasq.hosts").c_str(), 0755);
    write_file_atomic(config.dir / "dnsmasq.raw", dnsmasq_raw_conf(config), 0644);
    if (pid_t old = leftover_pid(config.dir, config.bridge)) kill_leftover(old);

    std::unique_lock lock(state_->mutex);
    auto& e = state_->entries[config.network];
    e = State::Entry{};
    e.config = config;
    e.argv = argv;
    e.restart_at = Clock::now();
    e.starting = true;
    state_->poke();
    state_->changed.wait_for(lock, std::chrono::seconds(10),
                             [&] { return e.spawns > 0 || !e.spawn_error.empty(); });
    std::string failure;
    if (e.spawns > 0) {
        // The half second counts from when dnsmasq runs its own code (its SIGHUP handler is the
        // first thing it installs): exec alone can be slow on a loaded host.
        pid_t pid = e.pid;
        lock.unlock();
        wait_for_sighup_handler(pid, std::chrono::seconds(5));
        lock.lock();
    }
    if (e.spawns == 0) {
        failure = e.spawn_error.empty() ? "dnsmasq did not start in time" : e.spawn_error;
    } else if (state_->changed.wait_for(lock, std::chrono::milliseconds(500), [&] { return e.exits > 0; })) {
        std::string output = read_small(config.dir / "dnsmasq.log");
        while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
        failure = fmt::format("dnsmasq for network \"{}\" exited at once: {}", config.network,
                              output.empty() ? "no message" : output);
    }
    e.starting = false;
    if (failure.empty()) return;
    e.wanted = false;
    lock.unlock();
    stop(config.network);
    throw Error(ErrorCode::Backend, failure);
}

bool DnsmasqSupervisor::adopt(const DnsmasqConfig& config, const std::vector<std::string>& argv, pid_t pid) {
    UniqueFd fd(pidfd_open(pid));
    if (!fd || !runs_argv(pid, argv)) return false;  // gone, or its pid reused, in between
    std::lock_guard lock(state_->mutex);
    auto& e = state_->entries[config.network];
    e = State::Entry{};
    e.config = config;
    e.argv = argv;
    e.pid = pid;
    e.adopted = true;
    e.pidfd = std::move(fd);
    e.spawns = 1;
    e.started_at = Clock::now();
    state_->poke();
    return true;
}

void DnsmasqSupervisor::detach(const std::string& network) {
    std::unique_lock lock(state_->mutex);
    auto it = state_->entries.find(network);
    if (it == state_->entries.end()) return;
    auto& e = it->second;
    e.wanted = false;
    if (e.guardian > 0) {
        ::kill(e.guardian, SIGUSR1);
        state_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return e.guardian <= 0; });
    }
    state_->entries.erase(it);  // the pid file stays: the next owner adopts it from there
}

void DnsmasqSupervisor::release_all(const std::function<bool(const DnsmasqConfig&)>& keep_running) {
    std::vector<std::pair<std::string, bool>> decisions;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& [name, e] : state_->entries) decisions.emplace_back(name, e.pid > 0 && keep_running(e.config));
    }
    for (const auto& [name, keep] : decisions) keep ? detach(name) : stop(name);
}

void DnsmasqSupervisor::stop(const std::string& network) {
    std::unique_lock lock(state_->mutex);
    auto it = state_->entries.find(network);
    if (it == state_->entries.end()) return;
    auto& e = it->second;
    fs::path dir = e.config.dir;
    e.wanted = false;
    for (int sig : {SIGTERM, SIGKILL}) {
        if (e.guardian <= 0 && !(e.adopted && e.pid > 0)) break;
        ::kill(e.pid, sig);
        state_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return e.guardian <= 0 && !e.adopted; });
    }
    if (e.guardian > 0 || e.adopted) log::error("dnsmasq did not stop", {{"network", network}, {"pid", std::to_string(e.pid)}});
    state_->entries.erase(it);
    lock.unlock();
    std::error_code ec;
    fs::remove(dir / "dnsmasq.pid", ec);
}

void DnsmasqSupervisor::reload(const std::string& network) {
    pid_t p = pid(network);
    // A dnsmasq being restarted reads the hosts directory as it starts anyway.
    if (p > 0 && wait_for_sighup_handler(p, std::chrono::seconds(2))) ::kill(p, SIGHUP);
}

bool DnsmasqSupervisor::running(const std::string& network) const {
    pid_t p = pid(network);
    return p > 0 && ::kill(p, 0) == 0;
}

pid_t DnsmasqSupervisor::pid(const std::string& network) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->entries.find(network);
    return it == state_->entries.end() ? 0 : it->second.pid;
}

int DnsmasqSupervisor::restarts(const std::string& network) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->entries.find(network);
    return it == state_->entries.end() ? 0 : it->second.restarts;
}

void DnsmasqSupervisor::stop_all() {
    std::vector<std::string> names;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& [name, e] : state_->entries) {
            names.push_back(name);
            // Signal them all first so they stop in parallel.
            e.wanted = false;
            if (e.pid > 0) ::kill(e.pid, SIGTERM);
        }
    }
    for (const auto& name : names) stop(name);
}

}  // namespace li::net
