#pragma once
// Test support: a simplestreams image server on 127.0.0.1 over TLS (tests/support/
// simplestreams_server.py, run as a child process), serving a tree made from the busybox image.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

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
    /// make_image writes a unified busybox tarball (built by libinstance) to the path it gets.
    explicit SimplestreamsServer(const std::function<void(const std::filesystem::path&)>& make_image) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "li-simplestreams-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        root_ = dir_ / "srv";
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
        image_ = dir_ / "busybox.tar.gz";
        make_image(image_);
    }
    ~SimplestreamsServer() {
        ::close(stdin_fd_);  // the server stops when its stdin closes
        for (int i = 0; i < 50; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                std::error_code ec;
                std::filesystem::remove_all(dir_, ec);
                return;
            }
            ::usleep(100000);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
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
    std::filesystem::path dir_;
    std::filesystem::path root_;
    std::filesystem::path image_;
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
};

}  // namespace li::test
