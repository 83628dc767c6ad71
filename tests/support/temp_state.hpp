#pragma once
// Test support: a fresh state directory per test binary, removed at exit, with the busybox image.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include <libinstance.hpp>

#include "support/mount_cleanup.hpp"

namespace li::test {

/// A unique temporary directory, removed (with everything below) when destroyed.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "li-test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        if (!::mkdtemp(tmpl.data())) std::abort();
        path_ = tmpl;
    }
    ~TempDir() {
        cleanup_mounts_below(path_);  // overlays and loop-backed pools a failed test left behind
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// True when this process can run containers (root, liblxc); tests exit 77 (skip) otherwise.
inline bool can_run_containers() { return ::geteuid() == 0; }

/// The manager of a state dir holding the busybox image under alias "busybox".
inline std::shared_ptr<Manager> open_with_busybox(const std::filesystem::path& dir) {
    auto mgr = Manager::open(dir);
    ImageBuildOptions opts;
    opts.alias = "busybox";
    mgr->images().build("default", opts);
    return mgr;
}

}  // namespace li::test
