#pragma once
// Test support: removes every mount and loop device a test made below a directory, even when the
// test failed half-way (called from TempDir's destructor). Self-contained: no library code, so a
// bug in the library's own unmount code cannot hide leaked mounts.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/mount.h>
#include <vector>

namespace li::test {

/// Mount points at or below `dir` (from /proc/self/mountinfo), deepest first.
inline std::vector<std::string> mounts_below(const std::filesystem::path& dir) {
    std::error_code ec;
    std::string prefix = std::filesystem::weakly_canonical(dir, ec).string();
    std::vector<std::string> out;
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, point;
        if (!(fields >> id >> parent >> devno >> root >> point)) continue;
        if (point == prefix || point.rfind(prefix + "/", 0) == 0) out.push_back(point);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return out;
}

/// Loop devices whose backing file is below `dir`.
inline std::vector<std::string> loops_below(const std::filesystem::path& dir) {
    std::error_code ec;
    std::string prefix = std::filesystem::weakly_canonical(dir, ec).string() + "/";
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator("/sys/block", ec)) {
        std::ifstream in(entry.path() / "loop" / "backing_file");
        std::string backing;
        if (std::getline(in, backing) && backing.rfind(prefix, 0) == 0) out.push_back("/dev/" + entry.path().filename().string());
    }
    return out;
}

inline void cleanup_mounts_below(const std::filesystem::path& dir) {
    for (const auto& point : mounts_below(dir)) ::umount2(point.c_str(), MNT_DETACH);
    // Auto-clearing loop devices go with their last mount; others are detached here.
    for (const auto& dev : loops_below(dir)) {
        std::string cmd = "losetup -d " + dev + " 2>/dev/null";
        (void)std::system(cmd.c_str());
    }
}

}  // namespace li::test
