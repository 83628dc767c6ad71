#include "sys/cgroup.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace li {

namespace fs = std::filesystem;

namespace {

// Every directory that may hold an lxc.*.NAME cgroup: the cgroup2 root, and v1 hierarchies.
std::vector<fs::path> cgroup_roots() {
    std::vector<fs::path> roots;
    std::error_code ec;
    const fs::path base = "/sys/fs/cgroup";
    if (fs::exists(base / "cgroup.controllers", ec)) roots.push_back(base);
    for (const auto& entry : fs::directory_iterator(base, ec)) {
        if (entry.is_directory(ec) && fs::exists(entry.path() / "cgroup.procs", ec))
            roots.push_back(entry.path());
    }
    return roots;
}

std::vector<fs::path> leftover_dirs(std::string_view name) {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& root : cgroup_roots()) {
        for (const char* prefix : {"lxc.payload.", "lxc.monitor."}) {
            fs::path dir = root / (std::string(prefix) + std::string(name));
            if (fs::exists(dir, ec)) dirs.push_back(dir);
        }
    }
    return dirs;
}

// True when no process is in dir or below. Another state directory (or another program) may run
// a container of the same name, whose cgroup must never be touched.
bool subtree_unpopulated(const fs::path& dir) {
    std::error_code ec;
    std::ifstream procs(dir / "cgroup.procs");
    std::string line;
    if (std::getline(procs, line) && !line.empty()) return false;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_directory(ec) && !subtree_unpopulated(entry.path())) return false;
    }
    return true;
}

// rmdir children first: a cgroup with child cgroups cannot be removed.
bool remove_cgroup_dir(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_directory(ec)) remove_cgroup_dir(entry.path());
    }
    return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

}  // namespace

bool lxc_cgroups_exist(std::string_view name) { return !leftover_dirs(name).empty(); }

void remove_leftover_lxc_cgroups(std::string_view name, int wait_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
        bool all_gone = true;
        for (const auto& dir : leftover_dirs(name)) all_gone &= subtree_unpopulated(dir) && remove_cgroup_dir(dir);
        if (all_gone || std::chrono::steady_clock::now() >= deadline) return;
        // The monitor may still be leaving its cgroup; try again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace li
