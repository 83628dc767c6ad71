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
#include <mutex>
#include <poll.h>
#include <sstream>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/log.hpp"
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
    std::string line = dnsmasq_host_line(host.hwaddr, host.ipv4, host.ipv6, host.register_name ? host.instance : "");
    fs::path file = hosts_dir / dnsmasq_host_file_name(host.instance, host.device);
    if (line.empty()) {
        std::error_code ec;
        fs::remove(file, ec);
        return;
    }
    fs::create_directories(hosts_dir);
    // Readable by dnsmasq after it dropped root.
    write_file_atomic(file, line + "\n", 0644);
}

void remove_static_host(const fs::path& hosts_dir, const std::string& instance, const std::string& device) {
    std::error_code ec;
    fs::remove(hosts_dir / dnsmasq_host_file_name(instance, device), ec);
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

void kill_leftover(pid_t pid) {
    UniqueFd fd(pidfd_open(pid));
    if (::kill(pid, SIGKILL) != 0) return;
    if (fd) {
        pollfd p{fd.get(), POLLIN, 0};
        ::poll(&p, 1, 2000);
    }
}

}  // namespace

struct DnsmasqSupervisor::State {
    struct Entry {
        DnsmasqConfig config;
        std::vector<std::string> argv;
        bool wanted = true;
        bool starting = false;  // start() is still watching whether it stays up
        pid_t pid = 0;
        UniqueFd pidfd;
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

    // Runs on the watcher thread only: PR_SET_PDEATHSIG ties the child to this thread.
    void spawn(const std::string& network, Entry& e) {
        UniqueFd log_fd(::open((e.config.dir / "dnsmasq.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
        std::vector<char*> argv;
        for (auto& a : e.argv) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t parent = ::getpid();
        int log = log_fd ? log_fd.get() : null_fd.get();
        pid_t pid = ::fork();
        if (pid == 0) {
            // Only async-signal-safe calls until exec.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) ::_exit(1);
            ::setsid();  // a terminal's Ctrl-C is not for dnsmasq
            ::dup2(null_fd.get(), 0);
            ::dup2(log, 1);
            ::dup2(log, 2);
            ::syscall(SYS_close_range, 3, ~0U, 0);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::signal(SIGPIPE, SIG_DFL);
            ::execvp(argv[0], argv.data());
            ::_exit(127);
        }
        if (pid < 0) {
            e.spawn_error = fmt::format("starting dnsmasq for network \"{}\": {}", network, std::strerror(errno));
            e.backoff = std::min<Clock::duration>(std::max<Clock::duration>(e.backoff * 2, kFirstBackoff), kMaxBackoff);
            e.restart_at = Clock::now() + e.backoff;
            log::error(e.spawn_error);
            return;
        }
        if (e.spawns > 0) e.restarts++;
        e.spawns++;
        e.pid = pid;
        e.pidfd.reset(pidfd_open(pid));
        e.started_at = Clock::now();
        try {
            write_file_atomic(e.config.dir / "dnsmasq.pid", std::to_string(pid) + "\n", 0644);
        } catch (const std::exception& ex) {
            log::warn("recording dnsmasq's pid", {{"network", network}, {"error", ex.what()}});
        }
    }

    void reaped(const std::string& network, Entry& e, int status) {
        e.pid = 0;
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
                   {"status", WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                                  : fmt::format("exit {}", WEXITSTATUS(status))},
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
                if (e.pid > 0) {
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
                if (it == entries.end() || it->second.pid <= 0) continue;
                int status = 0;
                pid_t r = ::waitpid(it->second.pid, &status, WNOHANG);
                if (r == it->second.pid || (r < 0 && errno == ECHILD)) {
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

    stop(config.network);
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

void DnsmasqSupervisor::stop(const std::string& network) {
    std::unique_lock lock(state_->mutex);
    auto it = state_->entries.find(network);
    if (it == state_->entries.end()) return;
    auto& e = it->second;
    fs::path dir = e.config.dir;
    e.wanted = false;
    for (int sig : {SIGTERM, SIGKILL}) {
        if (e.pid <= 0) break;
        ::kill(e.pid, sig);
        state_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return e.pid <= 0; });
    }
    if (e.pid > 0) log::error("dnsmasq did not stop", {{"network", network}, {"pid", std::to_string(e.pid)}});
    state_->entries.erase(it);
    lock.unlock();
    std::error_code ec;
    fs::remove(dir / "dnsmasq.pid", ec);
}

void DnsmasqSupervisor::reload(const std::string& network) {
    std::lock_guard lock(state_->mutex);
    auto it = state_->entries.find(network);
    if (it != state_->entries.end() && it->second.pid > 0) ::kill(it->second.pid, SIGHUP);
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
