// instanced: the LXD REST API 1.0 over libinstance, for LXD's own clients (lxc, pylxd).
//
//   instanced [--state-dir DIR] [--group GROUP]         serve in the foreground, logging to stderr
//   instanced waitready [--state-dir DIR] [--timeout N]  wait until the daemon answers (default 30 s)
//   instanced shutdown [--state-dir DIR]                 stop it (SIGTERM does the same)
//
// DIR defaults to $LIBINSTANCE_DIR, else /var/lib/libinstance; the socket is DIR/unix.socket.
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "daemon.hpp"
#include "libinstance/error.hpp"
#include "local_client.hpp"
#include "tls_identity.hpp"

namespace {

using li::daemon::Daemon;
using li::daemon::local_request;

struct Args {
    std::string command;  // "" (serve), "waitready", "shutdown"
    li::daemon::DaemonOptions daemon;
    int timeout = 30;
};

int usage() {
    std::fputs("usage: instanced [--state-dir DIR] [--group GROUP]\n"
               "       instanced waitready [--state-dir DIR] [--timeout SECONDS]\n"
               "       instanced shutdown [--state-dir DIR]\n",
               stderr);
    return 2;
}

bool parse(int argc, char** argv, Args& args) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* flag) -> const char* {
            if (a.rfind(std::string(flag) + "=", 0) == 0) return argv[i] + std::strlen(flag) + 1;
            if (a == flag && i + 1 < argc) return argv[++i];
            return nullptr;
        };
        if (const char* v = value("--state-dir")) args.daemon.state_dir = v;
        else if (const char* v = value("--group")) args.daemon.group = v;
        else if (const char* v = value("--timeout")) args.timeout = std::atoi(v);
        else if ((a == "waitready" || a == "shutdown") && args.command.empty()) args.command = a;
        else return false;
    }
    return true;
}

int wait_ready(const std::filesystem::path& socket, int timeout) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        auto answer = local_request(socket, "GET", "/internal/ready");
        if (answer.status == 200) return 0;
        last = answer.error.empty() ? "status " + std::to_string(answer.status) : answer.error;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::fprintf(stderr, "instanced: not ready on %s after %d s (%s)\n", socket.c_str(), timeout, last.c_str());
    return 1;
}

int shutdown_daemon(const std::filesystem::path& socket) {
    auto answer = local_request(socket, "PUT", "/internal/shutdown");
    if (answer.status == 200) {
        // Done once the socket is gone (the daemon removes it as it stops accepting).
        for (int i = 0; i < 100 && std::filesystem::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return 0;
    }
    std::fprintf(stderr, "instanced: shutdown failed on %s: %s\n", socket.c_str(),
                 answer.error.empty() ? answer.body.c_str() : answer.error.c_str());
    return 1;
}

// The server certificate is made on the first start, in a short-lived child: generating a key
// initialises OpenSSL (~2 MiB resident), which a daemon serving only its unix socket never needs
// again. Forked before the daemon starts any thread; a failure here leaves it to the daemon, which
// then makes the certificate itself or reports why it cannot.
void make_server_identity_in_child(const std::filesystem::path& state_dir) {
    std::error_code ec;
    std::filesystem::path dir = state_dir / "instanced";
    if (!std::filesystem::is_directory(state_dir, ec)) return;  // a new state dir: the library makes it first
    if (std::filesystem::exists(dir / "server.crt", ec) && std::filesystem::exists(dir / "server.key", ec)) return;
    pid_t pid = ::fork();
    if (pid < 0) return;
    if (pid == 0) {
        try {
            li::tls::load_or_create_server_identity(dir);
            ::_exit(0);
        } catch (...) {
            ::_exit(1);
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse(argc, argv, args)) return usage();
    try {
        auto socket = Daemon::socket_path(args.daemon.state_dir.empty() ? li::Manager::default_state_dir() : args.daemon.state_dir);
        if (args.command == "waitready") return wait_ready(socket, args.timeout);
        if (args.command == "shutdown") return shutdown_daemon(socket);
        // A client gone mid-answer, or a command that closed its stdin, is an error on that write,
        // not a reason to die.
        std::signal(SIGPIPE, SIG_IGN);
        make_server_identity_in_child(socket.parent_path());
        Daemon daemon(args.daemon);
        return daemon.run();
    } catch (const li::Error& e) {
        std::fprintf(stderr, "instanced: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "instanced: %s\n", e.what());
        return 1;
    }
}
