#pragma once
// Test support: a simplestreams image server on 127.0.0.1 over TLS (tests/support/
// simplestreams_server.py, run as a child process), serving a tree made from the busybox image.

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_state.hpp"

#ifndef LI_SIMPLESTREAMS_SERVER
#error "LI_SIMPLESTREAMS_SERVER (the path of simplestreams_server.py) must be defined by the build"
#endif

namespace li::test {

/// Runs argv, returns its stdout; throws when it fails.
inline std::string run_capture(const std::vector<std::string>& argv) {
    std::string cmd;
    for (const auto& a : argv) cmd += "'" + a + "' ";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    if (status != 0) throw std::runtime_error("command failed: " + cmd);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

class SimplestreamsServer {
public:
    SimplestreamsServer() {
        root_ = dir_.path() / "srv";
        std::filesystem::create_directories(root_);
        int out[2], in[2];
        if (::pipe(out) != 0 || ::pipe(in) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::close(in[1]);
            ::close(out[0]);
            ::execlp("python3", "python3", LI_SIMPLESTREAMS_SERVER, "serve", "--root", root_.c_str(), nullptr);
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        stdin_fd_ = in[1];
        FILE* f = ::fdopen(out[0], "r");
        char* line = nullptr;
        size_t cap = 0;
        if (::getline(&line, &cap, f) <= 0) throw std::runtime_error("the simplestreams server did not start");
        auto doc = nlohmann::json::parse(line);
        std::free(line);
        std::fclose(f);
        url = doc["url"].get<std::string>();
        certificate = doc["certificate"].get<std::string>();
        // An image libinstance built itself, as a unified tarball.
        image_ = dir_.path() / "busybox.tar.gz";
        auto mgr = Manager::open(dir_.path() / "builder-state");
        ImageBuildOptions opts;
        opts.output_path = image_;
        mgr->images().build("default", opts);
    }
    ~SimplestreamsServer() {
        ::close(stdin_fd_);  // the server stops when its stdin closes
        for (int i = 0; i < 50; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            ::usleep(100000);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    SimplestreamsServer(const SimplestreamsServer&) = delete;
    SimplestreamsServer& operator=(const SimplestreamsServer&) = delete;

    /// Publishes a version of a product ("unified" or "split"); returns its fingerprint.
    std::string add(const std::string& product, const std::string& aliases, const std::string& version,
                    const std::string& layout) {
        return run_capture({"python3", LI_SIMPLESTREAMS_SERVER, "add", "--root", root_.string(), "--image", image_.string(),
                            "--product", product, "--aliases", aliases, "--version", version, "--layout", layout});
    }
    /// Flips a byte of the newest rootfs file of a product (its index entry keeps the old sha256).
    void corrupt(const std::string& product) {
        run_capture({"python3", LI_SIMPLESTREAMS_SERVER, "corrupt", "--root", root_.string(), "--product", product});
    }
    /// Limits downloads to bytes per second (0: unlimited).
    void throttle(int bytes_per_second) { std::ofstream(root_ / ".throttle") << bytes_per_second; }

    std::string url;
    std::string certificate;

private:
    TempDir dir_{"li-simplestreams"};
    std::filesystem::path root_;
    std::filesystem::path image_;
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
};

}  // namespace li::test
